/**
 * Trace and span ids. Random bytes come from one pooled buffer refilled in 4 KiB blocks,
 * so an id costs a slice-to-hex, not a syscall.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;
const ZERO: Record<number, string> = { 8: '0'.repeat(16), 16: '0'.repeat(32) };

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  // An all-zero id is invalid in W3C trace-context; the odds are negligible but the check is cheap.
  return hex === ZERO[bytes] ? randomHex(bytes) : hex;
}

/** A new 16-byte trace id as 32 lowercase hex characters. */
export function newTraceId(): string {
  return randomHex(16);
}

/** A new 8-byte span id as 16 lowercase hex characters. */
export function newSpanId(): string {
  return randomHex(8);
}
