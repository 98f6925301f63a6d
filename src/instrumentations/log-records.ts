/**
 * What the log instrumentations (console, pino, winston) share: a record made from a logger's
 * call, with the active span's ids, the logger's fields as attributes, and the bounds and
 * redaction of docs/instrumentation.md ("Logs"). Nothing here touches what the app writes;
 * the record is a copy, built after the app's own call has its arguments.
 */
import { trace } from '@opentelemetry/api';
import type { AttributeMap, AttributeValue, LogRecord, SpanIdWords } from '../otlp/types';
import type { Kit } from './kit';
import { isSecretName, REDACTED } from './redact';
import { nowMs } from '../tracer/time';

/** A body longer than this is cut (UTF-16 units). */
const MAX_BODY = 8192;
/** A string attribute longer than this is cut. */
const MAX_VALUE = 2048;
/** Attributes per record; later fields are dropped. */
const MAX_ATTRIBUTES = 64;
/** A nested value is kept as JSON text up to this many characters, and this many levels. */
const MAX_JSON = 2048;
const MAX_JSON_DEPTH = 4;


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
      return boundedJson(value);
  }
}

/**
 * JSON text of a nested value, built only as far as the limits: it stops at MAX_JSON characters
 * and MAX_JSON_DEPTH levels, so a large object logged as a field costs its first 2 KiB, not a
 * full `JSON.stringify` (which a circular value would also make throw). Own enumerable fields,
 * in order; `toJSON` is not called (it is the app's code); secret-looking keys are redacted.
 */
function boundedJson(value: unknown): string {
  let out = '';
  const write = (v: unknown, depth: number): void => {
    if (out.length >= MAX_JSON) return;
    if (v === null || v === undefined || typeof v === 'function' || typeof v === 'symbol') {
      out += 'null';
    } else if (typeof v === 'string') {
      out += JSON.stringify(v.length > MAX_JSON ? v.slice(0, MAX_JSON) : v);
    } else if (typeof v === 'number' || typeof v === 'boolean') {
      out += Number.isFinite(v) || typeof v === 'boolean' ? String(v) : 'null';
    } else if (typeof v === 'bigint') {
      out += `"${String(v)}"`;
    } else if (depth >= MAX_JSON_DEPTH) {
      out += Array.isArray(v) ? '[...]' : '{...}';
    } else if (Array.isArray(v)) {
      out += '[';
      for (let i = 0; i < v.length && out.length < MAX_JSON; i++) {
        if (i > 0) out += ',';
        write(v[i], depth + 1);
      }
      out += ']';
    } else if (v instanceof Error) {
      out += JSON.stringify(`${v.name}: ${v.message}`);
    } else {
      out += '{';
      let first = true;
      for (const key in v as Record<string, unknown>) {
        if (out.length >= MAX_JSON) break;
        if (!Object.prototype.hasOwnProperty.call(v, key)) continue;
        let field: unknown;
        try {
          field = (v as Record<string, unknown>)[key];
        } catch {
          continue;
        }
        if (field === undefined || typeof field === 'function') continue;
        out += `${first ? '' : ','}${JSON.stringify(key)}:`;
        first = false;
        if (isSecret(key) && field !== null) out += `"${REDACTED}"`;
        else write(field, depth + 1);
      }
      out += '}';
    }
  };
  write(value, 0);
  return cut(out, MAX_JSON);
}

/** Whether a field name is a secret's (the rule URLs use), remembered per name: a program logs the same few names. */
const secretNames = new Map<string, boolean>();
function isSecret(key: string): boolean {
  let secret = secretNames.get(key);
  if (secret === undefined) {
    secret = isSecretName(key);
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
    const value = v !== undefined && v !== null && isSecret(key) ? REDACTED : attributeValue(v);
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
