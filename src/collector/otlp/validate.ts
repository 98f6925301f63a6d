/**
 * Checks shared by the protobuf and JSON decoders. Two kinds of bad input:
 * - structural (an id of the wrong length, a value of the wrong type): the request is
 *   malformed and is refused whole with a 400, so nothing of it is half-written;
 * - a well-formed record that cannot be used (all-zero ids, an end before its start, no
 *   timestamp): that record is rejected and counted in the partial-success answer, and the
 *   rest of the request is stored.
 */
import type { SpanRecord } from '../../otlp/types';
import { MalformedInput } from './proto-reader';
import type { Decoded, LogRecordIn, MetricPointIn, ResourceGroup } from './model';
import { boundAttributes, boundString, MAX_RECORD_CHARS } from './value-limits';

const HEX = /^[0-9a-f]*$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Throws MalformedInput unless `hex` is empty (when allowed) or exactly `bytes` long.
 * `trusted` skips the digit check for hex made by Buffer.toString('hex') (protobuf).
 */
export function checkId(hex: string, bytes: number, field: string, optional: boolean, trusted = false): void {
  if (hex.length === 0 && optional) return;
  if (hex.length !== bytes * 2 || (!trusted && !HEX.test(hex))) {
    throw new MalformedInput(`${field} must be ${bytes} bytes (${bytes * 2} hex digits), got ${JSON.stringify(hex.slice(0, 80))}`);
  }
}

/** The earliest time accepted: 1971-01-01 (a zero or tiny timestamp is a missing one). */
export const EARLIEST_MS = Date.UTC(1971, 0, 1);
/** How far ahead of the collector's clock a timestamp may be (clock skew, not the year 2100). */
export const MAX_AHEAD_MS = 60 * 60 * 1000;
/** Most buckets one explicit histogram point may have. */
export const MAX_HISTOGRAM_BUCKETS = 1024;

/**
 * Why a timestamp cannot be stored, or undefined when it can. Data far in the future would
 * show in every "last N minutes" view and outlive every retention sweep.
 */
export function timeProblem(ms: number, now: number): string | undefined {
  if (!(ms >= EARLIEST_MS)) return 'is before 1971';
  if (ms > now + MAX_AHEAD_MS) return "is more than 1 h ahead of the collector's clock";
  return undefined;
}

/**
 * Why a structurally valid span cannot be stored, or undefined when it can. A span that can
 * be stored is also brought within the value limits (value-limits.ts), and an event stamped
 * outside the accepted range takes its span's end time.
 */
export function spanRejection(span: SpanRecord, now = Date.now()): string | undefined {
  if (span.traceId === ZERO_TRACE) return 'span with an all-zero trace id';
  if (span.spanId === ZERO_SPAN) return 'span with an all-zero span id';
  if (!(span.startMs > 0)) return 'span without a start time';
  const start = timeProblem(span.startMs, now);
  if (start !== undefined) return `span whose start time ${start}`;
  if (span.endMs < span.startMs) return 'span that ends before it starts';
  const end = timeProblem(span.endMs, now);
  if (end !== undefined) return `span whose end time ${end}`;
  span.name = boundString(span.name);
  if (span.statusMessage !== undefined) span.statusMessage = boundString(span.statusMessage);
  let left = boundAttributes(span.attributes, MAX_RECORD_CHARS);
  span.droppedAttributes += left.dropped;
  for (const e of span.events ?? []) {
    if (timeProblem(e.timeMs, now) !== undefined) e.timeMs = span.endMs;
    e.name = boundString(e.name);
    left = boundAttributes(e.attributes, left.budget);
  }
  for (const l of span.links ?? []) left = boundAttributes(l.attributes, left.budget);
  return undefined;
}

/** Why a metric point cannot be stored, or undefined when it can (then it is bounded). */
export function pointRejection(point: MetricPointIn, now = Date.now()): string | undefined {
  if (!(point.timeMs > 0)) return 'data point without a time';
  const time = timeProblem(point.timeMs, now);
  if (time !== undefined) return `data point whose time ${time}`;
  // A start time is optional (0); one that makes no sense is treated as missing.
  if (point.startMs !== 0 && (timeProblem(point.startMs, now) !== undefined || point.startMs > point.timeMs)) point.startMs = 0;
  if (point.counts !== undefined && point.counts.length > MAX_HISTOGRAM_BUCKETS) return `histogram with more than ${MAX_HISTOGRAM_BUCKETS} buckets`;
  boundAttributes(point.attributes, MAX_RECORD_CHARS);
  return undefined;
}

/** Why a log record cannot be stored, or undefined when it can (then it is bounded). */
export function logRejection(rec: LogRecordIn, now = Date.now()): string | undefined {
  if (!(rec.timeMs > 0)) return 'log record without a time';
  const time = timeProblem(rec.timeMs, now);
  if (time !== undefined) return `log record whose time ${time}`;
  rec.body = boundString(rec.body);
  rec.severityText = boundString(rec.severityText);
  boundAttributes(rec.attributes, MAX_RECORD_CHARS - rec.body.length);
  return undefined;
}

export { describeResource } from '../../shared/resource-identity';

/** A new empty decode result. */
export function emptyDecoded<T>(): Decoded<T> {
  return { groups: [], accepted: 0, rejected: 0, rejectReason: undefined };
}

/** Adds a record to its group, or counts it as rejected. */
export function keepOrReject<T>(out: Decoded<T>, group: ResourceGroup<T>, item: T, reason: string | undefined): void {
  if (reason === undefined) {
    group.items.push(item);
    out.accepted++;
  } else {
    out.rejected++;
    out.rejectReason ??= reason;
  }
}
