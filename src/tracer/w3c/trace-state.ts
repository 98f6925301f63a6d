/**
 * The W3C `tracestate` header as a TraceState (https://www.w3.org/TR/trace-context/#tracestate-header):
 * an ordered list of vendor `key=value` members, newest first. Members with an invalid key or
 * value are dropped on parse, duplicates keep their first occurrence, and at most 32 members
 * are kept, as the specification allows.
 */
import type { TraceState } from '@opentelemetry/api';

const MAX_MEMBERS = 32;
const MAX_LENGTH = 512;
const KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** An immutable tracestate; `set` and `unset` return a new one. */
export class W3CTraceState implements TraceState {
  private constructor(private readonly members: readonly (readonly [string, string])[]) {}

  /** Parses a header value (several headers joined with `,` are one list). */
  static parse(header: string | undefined): W3CTraceState {
    const members: [string, string][] = [];
    if (header === undefined || header.length > MAX_LENGTH * 4) return new W3CTraceState(members);
    const seen = new Set<string>();
    for (const part of header.split(',')) {
      const member = part.trim();
      const eq = member.indexOf('=');
      if (eq <= 0) continue;
      const key = member.slice(0, eq);
      const value = member.slice(eq + 1);
      if (!KEY.test(key) || !VALUE.test(value) || seen.has(key)) continue;
      seen.add(key);
      members.push([key, value]);
      if (members.length === MAX_MEMBERS) break;
    }
    return new W3CTraceState(members);
  }

  get(key: string): string | undefined {
    for (const [k, v] of this.members) if (k === key) return v;
    return undefined;
  }

  set(key: string, value: string): TraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.members.filter(([k]) => k !== key);
    return new W3CTraceState([[key, value] as const, ...rest].slice(0, MAX_MEMBERS));
  }

  unset(key: string): TraceState {
    return new W3CTraceState(this.members.filter(([k]) => k !== key));
  }

  serialize(): string {
    return this.members.map(([k, v]) => `${k}=${v}`).join(',');
  }
}
