/**
 * What the log instrumentations (console, pino, winston) share: a record made from a logger's
 * call, with the active span's ids, the logger's fields as attributes, and the bounds and
 * redaction of docs/instrumentation.md ("Logs"). Nothing here touches what the app writes;
 * the record is a copy, built after the app's own call has its arguments.
 */
import { trace } from '@opentelemetry/api';
import type { AttributeMap, AttributeValue, LogRecord, SpanIdWords } from '../otlp/types';
import type { Kit } from './kit';
import { REDACTED } from './redact';
import { nowMs } from '../tracer/time';

/** A body longer than this is cut (UTF-16 units). */
export const MAX_BODY = 8192;
/** A string attribute longer than this is cut. */
const MAX_VALUE = 2048;
/** Attributes per record; later fields are dropped. */
const MAX_ATTRIBUTES = 64;
/** A nested value is kept as JSON text up to this many characters. */
const MAX_JSON = 2048;

/** Field names whose values are secrets: redacted in the export, never in the app's own output. */
const SECRET_FIELD = /pass|pwd|token|secret|api[-_]?key|^key$|auth|session|cookie|credential|jwt|otp|signature|^code$|^pw$/i;

/** OTLP severity numbers for the usual level names (console, pino, winston npm and syslog levels). */
const SEVERITY: Record<string, number> = {
  trace: 1, silly: 1, debug: 5, verbose: 6, log: 9, info: 9, http: 10, notice: 10, warn: 13, warning: 13,
  error: 17, crit: 22, critical: 22, alert: 23, fatal: 21, emerg: 24, emergency: 24,
};

/** The OTLP severity number of a level name; INFO for one it does not know. */
export function severityOf(level: string): number {
  return SEVERITY[level.toLowerCase()] ?? 9;
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...[truncated ${text.length - max} chars]`;
}

/** A field's value as an attribute: scalars as they are, anything else as bounded JSON text. */
function attributeValue(value: unknown): AttributeValue {
  switch (typeof value) {
    case 'string':
      return cut(value, MAX_VALUE);
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return String(value);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      if (value === null) return undefined;
      if (value instanceof Error) return cut(`${value.name}: ${value.message}`, MAX_VALUE);
      try {
        return cut(JSON.stringify(value) ?? '', MAX_JSON);
      } catch {
        return '[unserializable]';
      }
  }
}

/** Whether a field name is a secret's, remembered per name (a program logs the same few names). */
const secretNames = new Map<string, boolean>();
function isSecretName(key: string): boolean {
  let secret = secretNames.get(key);
  if (secret === undefined) {
    secret = SECRET_FIELD.test(key);
    if (secretNames.size >= 4096) secretNames.clear();
    secretNames.set(key, secret);
  }
  return secret;
}

/**
 * Copies a logger's fields into `into` as attributes: own enumerable string keys, secrets
 * redacted, at most {@link MAX_ATTRIBUTES} in all (`count` are there already), `skip` left
 * out. Never reads getters twice or throws: a field whose getter throws is left out. Returns
 * the new count.
 */
export function addFields(into: AttributeMap, fields: object | undefined, skip?: (key: string) => boolean, count = 1): number {
  if (fields === undefined || fields === null) return count;
  for (const key of Object.keys(fields)) {
    if (count >= MAX_ATTRIBUTES) return count;
    if (skip?.(key) === true) continue;
    let v: unknown;
    try {
      v = (fields as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    const value = v !== undefined && v !== null && isSecretName(key) ? REDACTED : attributeValue(v);
    if (value === undefined) continue;
    into[key] = value;
    count++;
  }
  return count;
}

/** An error's standard attributes (`exception.*`) on a record. */
export function addException(into: AttributeMap, err: Error): void {
  into['exception.type'] = err.name;
  into['exception.message'] = cut(String(err.message), MAX_VALUE);
  if (typeof err.stack === 'string') into['exception.stacktrace'] = cut(err.stack, MAX_BODY);
}

/** A record for the active context: its span's ids when there is one. */
export function logRecord(kit: Kit, severityNumber: number, severityText: string, body: string, attributes: AttributeMap): LogRecord {
  const record: LogRecord = { timeMs: nowMs(), severityNumber, severityText, body: cut(body, MAX_BODY), attributes };
  const span = trace.getSpan(kit.contexts.active());
  if (span !== undefined) {
    // tracekit's spans (sampled or not) hold their ids as words: no hex made per record.
    const words = span as Partial<SpanIdWords>;
    if (typeof words.t0 === 'number') record.idWords = words as SpanIdWords;
    else {
      const ctx = span.spanContext();
      record.traceId = ctx.traceId;
      record.spanId = ctx.spanId;
    }
  }
  return record;
}

/** The active span's ids as the injected fields (`trace_id`, `span_id`), or undefined outside a span. */
export function activeIds(kit: Kit): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(kit.contexts.active());
  if (span === undefined) return undefined;
  const ctx = span.spanContext();
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}
