/**
 * A lean OpenTelemetry Context: an immutable chain of (key, value) links. The API's own
 * BaseContext copies a Map and creates three closures for every `setValue`; a request sets
 * two or three values (its span, its tracekit state, a handler span), so on the hot path a
 * link of one small object is what we want. Lookups walk the chain, which is short: each
 * instrumentation adds one or two links per request. A chain that grows past
 * MAX_DEPTH (a program nesting contexts in a loop) is flattened, so lookups stay bounded.
 */
import type { Context } from '@opentelemetry/api';

const MAX_DEPTH = 32;
/** Marks a key removed by `deleteValue` in the links above the one that set it. */
const DELETED: unique symbol = Symbol('tracekit.context.deleted');

export class LinkedContext implements Context {
  private constructor(
    private readonly parent: LinkedContext | undefined,
    private readonly key: symbol | undefined,
    private readonly value: unknown,
    private readonly depth: number,
  ) {}

  /** The empty context. */
  static readonly ROOT = new LinkedContext(undefined, undefined, undefined, 0);

  getValue(key: symbol): unknown {
    for (let c: LinkedContext | undefined = this; c !== undefined; c = c.parent) {
      if (c.key === key) return c.value === DELETED ? undefined : c.value;
    }
    return undefined;
  }

  setValue(key: symbol, value: unknown): Context {
    return this.link(key, value);
  }

  deleteValue(key: symbol): Context {
    return this.link(key, DELETED);
  }

  private link(key: symbol, value: unknown): LinkedContext {
    if (this.depth < MAX_DEPTH) return new LinkedContext(this, key, value, this.depth + 1);
    // Flatten: keep the newest value of each key, in a fresh short chain.
    const latest = new Map<symbol, unknown>([[key, value]]);
    for (let c: LinkedContext | undefined = this; c !== undefined; c = c.parent) {
      if (c.key !== undefined && !latest.has(c.key)) latest.set(c.key, c.value);
    }
    let out = LinkedContext.ROOT;
    for (const [k, v] of latest) if (v !== DELETED) out = new LinkedContext(out, k, v, out.depth + 1);
    return out;
  }
}

/** The empty context tracekit starts from (the API's ROOT_CONTEXT works too, only slower). */
export const EMPTY_CONTEXT: Context = LinkedContext.ROOT;
