/**
 * An explicit-bucket histogram accumulator. The default bounds are finer than the semantic
 * conventions' advisory ones (27 instead of 14, roughly 1-1.5-2-3-5-7.5 per decade) because
 * the dashboard derives p50/p95/p99 from them: interpolating inside a bucket stays within
 * about 20% of the true value, where the coarse bounds can be off by 2x.
 */
import type { AttributeMap, HistogramPoint } from '../otlp/types';

export const DURATION_BOUNDS_S = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5,
  7.5, 10, 15, 30, 60,
];

export class HistogramAccumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  readonly counts: number[];

  constructor(
    readonly attributes: AttributeMap,
    readonly bounds: number[] = DURATION_BOUNDS_S,
  ) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  record(value: number): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    // Binary search for the first bound >= value (OTLP buckets are upper-inclusive).
    let lo = 0;
    let hi = this.bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.bounds[mid] < value) lo = mid + 1;
      else hi = mid;
    }
    this.counts[lo]++;
  }

  /** A snapshot as an OTLP histogram point. */
  point(startMs: number, timeMs: number): HistogramPoint {
    return {
      attributes: this.attributes,
      startMs,
      timeMs,
      count: this.count,
      sum: this.sum,
      min: this.count === 0 ? 0 : this.min,
      max: this.count === 0 ? 0 : this.max,
      bounds: this.bounds,
      counts: this.counts.slice(),
    };
  }
}
