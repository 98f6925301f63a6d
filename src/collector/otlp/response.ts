/**
 * Export responses, in the encoding of the request: an empty message on full success, a
 * `partial_success` (rejected count, message) when some records were refused, and for
 * errors the `google.rpc.Status` body OTLP/HTTP prescribes (code 3 = INVALID_ARGUMENT etc.).
 */

export type Signal = 'traces' | 'metrics' | 'logs';
export type Encoding = 'protobuf' | 'json';

const REJECTED_FIELD: Record<Signal, string> = { traces: 'rejectedSpans', metrics: 'rejectedDataPoints', logs: 'rejectedLogRecords' };

function varint(out: number[], v: number): void {
  while (v > 0x7f) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function lengthDelimited(out: number[], field: number, body: Uint8Array): void {
  varint(out, (field << 3) | 2);
  varint(out, body.length);
  for (const b of body) out.push(b);
}

/** The body of a successful export answer. */
export function exportResponse(signal: Signal, encoding: Encoding, rejected: number, message: string | undefined): Buffer {
  if (encoding === 'json') {
    if (rejected === 0) return Buffer.from('{}');
    return Buffer.from(JSON.stringify({ partialSuccess: { [REJECTED_FIELD[signal]]: String(rejected), errorMessage: message ?? '' } }));
  }
  if (rejected === 0) return Buffer.alloc(0);
  // ExportXPartialSuccess { int64 rejected_* = 1; string error_message = 2; }
  const partial: number[] = [];
  varint(partial, 1 << 3);
  varint(partial, rejected);
  lengthDelimited(partial, 2, Buffer.from(message ?? '', 'utf8'));
  const out: number[] = [];
  lengthDelimited(out, 1, Uint8Array.from(partial));
  return Buffer.from(out);
}

/** A `google.rpc.Status` error body: code (gRPC numbering) and message. */
export function statusResponse(encoding: Encoding, grpcCode: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code: grpcCode, message }));
  const out: number[] = [];
  varint(out, 1 << 3);
  varint(out, grpcCode);
  lengthDelimited(out, 2, Buffer.from(message, 'utf8'));
  return Buffer.from(out);
}
