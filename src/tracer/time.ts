/**
 * Span times are epoch milliseconds as doubles (microsecond precision at today's epoch),
 * taken from the monotonic clock anchored once, so spans never run backwards when the wall
 * clock is adjusted. The exporter turns them into OTLP's unix nanoseconds.
 */
import { performance } from 'node:perf_hooks';
import type { TimeInput } from '@opentelemetry/api';

// The module's `performance`, not the global one: `globalThis.performance` is a lazy getter
// that every read goes through (measured: about 7 ns more per call, several calls a request).
const origin = performance.timeOrigin;

/** Now, in epoch milliseconds with sub-millisecond precision. */
export function nowMs(): number {
  return origin + performance.now();
}

/** Converts any OpenTelemetry TimeInput (epoch ms, performance ms, HrTime, Date) to epoch ms. */
export function toEpochMs(input: TimeInput | undefined): number {
  if (input === undefined) return nowMs();
  if (typeof input === 'number') {
    // Values below the time origin are performance.now() readings, as the OTel SDK treats them.
    return input < origin ? origin + input : input;
  }
  if (input instanceof Date) return input.getTime();
  if (Array.isArray(input)) return input[0] * 1e3 + input[1] / 1e6;
  return nowMs();
}
