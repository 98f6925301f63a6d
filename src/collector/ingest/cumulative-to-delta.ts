/**
 * The store keeps sums and histograms as deltas, so a window's total is a plain SUM. Most
 * OpenTelemetry SDKs export cumulative values by default; this turns them into deltas by
 * remembering the last value of each series. A series seen for the first time counts in
 * full only if it started after this collector did (otherwise its first value would dump
 * the process's whole history into one instant); a restart of the series (new start time,
 * or a value that went down) starts over from its new value. The memory is bounded.
 */
import type { MetricPointIn } from '../otlp/model';

interface Last {
  startMs: number;
  value: number;
  count: number;
  sum: number;
  counts: number[] | undefined;
}

export class CumulativeToDelta {
  private readonly last = new Map<string, Last>();

  constructor(private readonly startedMs: number, private readonly maxSeries = 100_000) {}

  /** Number of series remembered (for tests and stats). */
  get size(): number {
    return this.last.size;
  }

  /**
   * Rewrites a cumulative point in place as the delta since the previous one. Returns false
   * when the point carries no new information and is dropped (a baseline).
   */
  toDelta(key: string, p: MetricPointIn): boolean {
    const prev = this.last.get(key);
    const cur: Last = { startMs: p.startMs, value: p.value ?? 0, count: p.count ?? 0, sum: p.sum ?? 0, counts: p.counts };
    this.remember(key, cur);
    const restarted = prev === undefined || prev.startMs !== p.startMs || cur.count < prev.count || (p.kind === 'sum' && cur.value < prev.value);
    if (restarted) {
      // A first sight of a series older than this collector is only a baseline.
      return !(prev === undefined && p.startMs > 0 && p.startMs < this.startedMs);
    }
    p.startMs = Math.max(p.startMs, prev.startMs);
    if (p.kind === 'sum') p.value = cur.value - prev.value;
    else {
      p.count = cur.count - prev.count;
      p.sum = cur.sum - prev.sum;
      if (p.counts !== undefined && prev.counts !== undefined && prev.counts.length === p.counts.length) {
        p.counts = p.counts.map((c, i) => c - (prev.counts as number[])[i]);
      }
      // min and max of a cumulative histogram cover its whole life; they stay as given.
    }
    return true;
  }

  private remember(key: string, v: Last): void {
    this.last.delete(key);
    this.last.set(key, v);
    if (this.last.size > this.maxSeries) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
  }
}
