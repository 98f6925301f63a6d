/**
 * Checks shared by the protobuf and JSON decoders. Two kinds of bad input:
 * - structural (an id of the wrong length, a value of the wrong type): the request is
 *   malformed and is refused whole with a 400, so nothing of it is half-written;
 * - a well-formed record that cannot be used (all-zero ids, an end before its start, no
 *   timestamp): that record is rejected and counted in the partial-success answer, and the
 *   rest of the request is stored.
 */
import type { AttributeMap, SpanRecord } from '../../otlp/types';
import { MalformedInput } from './proto-reader';
import type { Decoded, ResourceGroup } from './model';

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

/** Why a structurally valid span cannot be stored, or undefined when it can. */
export function spanRejection(span: SpanRecord): string | undefined {
  if (span.traceId === ZERO_TRACE) return 'span with an all-zero trace id';
  if (span.spanId === ZERO_SPAN) return 'span with an all-zero span id';
  if (!(span.startMs > 0)) return 'span without a start time';
  if (span.endMs < span.startMs) return 'span that ends before it starts';
  return undefined;
}

/** The service and instance a resource describes. */
export function describeResource(attributes: AttributeMap): { service: string; instance: string } {
  const name = attributes['service.name'];
  const service = typeof name === 'string' && name !== '' ? name : 'unknown_service';
  const id = attributes['service.instance.id'];
  let instance = '';
  if (typeof id === 'string' && id !== '') instance = id;
  else if (attributes['host.name'] !== undefined || attributes['process.pid'] !== undefined) {
    instance = `${String(attributes['host.name'] ?? '')}:${String(attributes['process.pid'] ?? '')}`;
  }
  return { service, instance };
}

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
