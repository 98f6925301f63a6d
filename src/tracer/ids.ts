/**
 * Trace and span ids. A span keeps its ids as 32-bit words (a trace id is four, a span id
 * two; each word is the big-endian value of four of the id's bytes, held as an int32 so V8
 * stores it as a small integer). The protobuf encoder writes the words as bytes directly, and
 * the hex form the API and propagators want is built only when something asks for it: most
 * spans are never asked, and hex strings cost a string build per id plus a parse back to
 * bytes at encoding (measured: about 8k instructions per request of two spans).
 *
 * Random words come from one pooled Int32Array refilled in 4 KiB blocks, so an id costs no
 * syscall.
 */
import { randomFillSync } from 'node:crypto';
import type { TraceIdWords } from '../otlp/types';

const POOL_WORDS = 1024;
const pool = new Int32Array(POOL_WORDS);
let next = POOL_WORDS;

/** A random 32-bit word, as an int32. */
export function randomWord(): number {
  if (next === POOL_WORDS) {
    randomFillSync(pool);
    next = 0;
  }
  return pool[next++];
}

/**
 * A random word that is not 0: the first word of a span id, which makes the whole id valid
 * (W3C trace-context forbids an all-zero span id) without a retry loop at each caller.
 */
export function nonZeroWord(): number {
  let w;
  do w = randomWord();
  while (w === 0);
  return w;
}

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

/** A trace id's words as the tracer fills them; the same shape as TraceIdWords, writable. */
export interface TraceWordsOut {
  t0: number;
  t1: number;
  t2: number;
  t3: number;
}

/** Fills `out` with a new random trace id, never all zero (invalid in W3C trace-context). */
export function fillTraceWords(out: TraceWordsOut): void {
  do {
    out.t0 = randomWord();
    out.t1 = randomWord();
    out.t2 = randomWord();
    out.t3 = randomWord();
  } while ((out.t0 | out.t1 | out.t2 | out.t3) === 0);
}

/** A new 8-byte span id as 16 lowercase hex characters (for spans that are not recorded). */
export function newSpanId(): string {
  return wordsToHex(nonZeroWord(), randomWord());
}
