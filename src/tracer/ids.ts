/**
 * Trace and span ids. Random bytes come from one pooled buffer refilled in 4 KiB blocks,
 * so an id costs no syscall; the hex string is built by one String.fromCharCode call, about
 * half the cost of Buffer#toString('hex') for 8 or 16 bytes (it crosses into C++ each time).
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
const DIGITS = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Takes `bytes` random bytes from the pool; returns their offset. */
function take(bytes: number): number {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const at = offset;
  offset += bytes;
  return at;
}

function isZero(at: number, bytes: number): boolean {
  for (let i = 0; i < bytes; i++) if (pool[at + i] !== 0) return false;
  return true;
}

/** 8 pooled bytes as 16 hex characters, written out so V8 compiles one call with fixed arguments. */
function hex8(p: Buffer, o: number): string {
  const d = DIGITS;
  return String.fromCharCode(
    d[p[o] >> 4], d[p[o] & 15], d[p[o + 1] >> 4], d[p[o + 1] & 15], d[p[o + 2] >> 4], d[p[o + 2] & 15], d[p[o + 3] >> 4], d[p[o + 3] & 15],
    d[p[o + 4] >> 4], d[p[o + 4] & 15], d[p[o + 5] >> 4], d[p[o + 5] & 15], d[p[o + 6] >> 4], d[p[o + 6] & 15], d[p[o + 7] >> 4], d[p[o + 7] & 15],
  );
}

// An all-zero id is invalid in W3C trace-context; the odds are negligible but the check is cheap.

/** A new 16-byte trace id as 32 lowercase hex characters. */
export function newTraceId(): string {
  let at = take(16);
  while (isZero(at, 16)) at = take(16);
  return hex8(pool, at) + hex8(pool, at + 8);
}

/** A new 8-byte span id as 16 lowercase hex characters. */
export function newSpanId(): string {
  let at = take(8);
  while (isZero(at, 8)) at = take(8);
  return hex8(pool, at);
}
