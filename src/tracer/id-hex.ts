/**
 * Ids as the hex text the API, the propagators and OTLP/JSON use, built from the 32-bit words a
 * span keeps (ids.ts). Apart from ids.ts so that formatting an id does not load `node:crypto`:
 * the exporter worker encodes JSON with these and makes no ids.
 */
import type { TraceIdWords } from '../otlp/types';

const DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Two words as 16 lowercase hex characters, written out so V8 compiles one call with fixed arguments. */
export function wordsToHex(a: number, b: number): string {
  const d = DIGITS;
  return String.fromCharCode(
    d[(a >>> 28) & 15], d[(a >>> 24) & 15], d[(a >>> 20) & 15], d[(a >>> 16) & 15], d[(a >>> 12) & 15], d[(a >>> 8) & 15], d[(a >>> 4) & 15], d[a & 15],
    d[(b >>> 28) & 15], d[(b >>> 24) & 15], d[(b >>> 20) & 15], d[(b >>> 16) & 15], d[(b >>> 12) & 15], d[(b >>> 8) & 15], d[(b >>> 4) & 15], d[b & 15],
  );
}

/** A trace id's four words as 32 lowercase hex characters. */
export function traceIdHex(ids: TraceIdWords): string {
  return wordsToHex(ids.t0, ids.t1) + wordsToHex(ids.t2, ids.t3);
}

/** The word in 8 hex characters of `hex` from `at`, as an int32. The caller has validated the hex. */
export function hexWord(hex: string, at: number): number {
  return parseInt(hex.slice(at, at + 8), 16) | 0;
}
