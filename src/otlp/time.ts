/**
 * Epoch milliseconds (a double) to unix nanoseconds. A double at today's epoch holds about
 * 0.2 µs of precision, so the value is rounded to whole microseconds: exact, not spuriously
 * precise.
 */
export function epochMsToNs(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1000)) * 1000n;
}
