/** Unit tests for the collector's arithmetic: histogram percentiles, cumulative→delta, error fingerprints. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CumulativeToDelta } from '../dist/collector/ingest/cumulative-to-delta';
import { fingerprint, messageSignature, stackSignature } from '../dist/collector/ingest/fingerprint';
import type { MetricPointIn } from '../dist/collector/otlp/model';
import { histogramQuantile } from '../dist/collector/store/quantile';

describe('histogramQuantile', () => {
  it('interpolates inside the bucket that holds the rank', () => {
    // 10 values in (0,1], 10 in (1,2]: the median is the top of the first bucket.
    assert.equal(histogramQuantile(0.5, [1, 2], [10, 10, 0], 2), 1);
    assert.equal(histogramQuantile(0.75, [1, 2], [10, 10, 0], 2), 1.5);
    assert.equal(histogramQuantile(0.25, [1, 2], [10, 10, 0], 2), 0.5);
  });
  it('never exceeds the observed maximum, and is null when empty', () => {
    assert.equal(histogramQuantile(0.99, [1, 2], [0, 0, 5], 7), 6.95);
    assert.equal(histogramQuantile(0.5, [10], [4, 0], 3), 1.5);
    assert.equal(histogramQuantile(0.5, [1], [0, 0], null), null);
  });
  it('agrees with exact percentiles within one bucket on a known distribution', () => {
    const bounds = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);
    const counts = new Array<number>(101).fill(0);
    const values = Array.from({ length: 1000 }, (_, i) => i + 0.5);
    for (const v of values) counts[Math.min(100, Math.floor(v / 10))]++;
    for (const q of [0.5, 0.95, 0.99]) {
      const exact = values[Math.ceil(q * values.length) - 1];
      assert.ok(Math.abs((histogramQuantile(q, bounds, counts, 999.5) as number) - exact) <= 10, `q=${q}`);
    }
  });
});

function point(over: Partial<MetricPointIn>): MetricPointIn {
  return { name: 'm', unit: '1', kind: 'sum', temporality: 2, monotonic: true, attributes: {}, startMs: 1000, timeMs: 2000, value: 0, count: undefined, sum: undefined, min: undefined, max: undefined, bounds: undefined, counts: undefined, ...over };
}

describe('CumulativeToDelta', () => {
  it('counts a series that started after the collector in full, then differences', () => {
    const c = new CumulativeToDelta(500);
    const a = point({ value: 5 });
    assert.equal(c.toDelta('k', a), true);
    assert.equal(a.value, 5);
    const b = point({ value: 8, timeMs: 3000 });
    assert.equal(c.toDelta('k', b), true);
    assert.equal(b.value, 3);
  });
  it('uses the first point of an older series as a baseline only', () => {
    const c = new CumulativeToDelta(5000);
    assert.equal(c.toDelta('k', point({ value: 1000 })), false);
    const b = point({ value: 1004, timeMs: 6000 });
    assert.equal(c.toDelta('k', b), true);
    assert.equal(b.value, 4);
  });
  it('starts over when the series restarts, and differences histogram buckets', () => {
    const c = new CumulativeToDelta(0);
    c.toDelta('h', point({ kind: 'histogram', count: 4, sum: 4, counts: [1, 3], bounds: [1] }));
    const h = point({ kind: 'histogram', count: 6, sum: 7, counts: [2, 4], bounds: [1] });
    c.toDelta('h', h);
    assert.deepEqual([h.count, h.sum, h.counts], [2, 3, [1, 1]]);
    const restarted = point({ kind: 'histogram', startMs: 9000, count: 1, sum: 1, counts: [1, 0], bounds: [1] });
    assert.equal(c.toDelta('h', restarted), true);
    assert.equal(restarted.count, 1);
  });
  it('remembers a bounded number of series', () => {
    const c = new CumulativeToDelta(0, 10);
    for (let i = 0; i < 50; i++) c.toDelta(`k${i}`, point({ value: i }));
    assert.equal(c.size, 10);
  });
});

describe('error fingerprints', () => {
  const stack = (line: number): string => `Error: order 17 failed\n    at charge (/srv/app/pay.js:${line}:9)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)\n    at handler (/srv/app/routes.js:40:3)`;
  it('ignores line numbers, node internals and the values in the message', () => {
    assert.deepEqual(stackSignature(stack(10)), ['at charge (/srv/app/pay.js)', 'at handler (/srv/app/routes.js)']);
    assert.equal(fingerprint('s', 'Error', 'order 17 failed', stack(10)), fingerprint('s', 'Error', 'order 99 failed', stack(12)));
  });
  it('separates types, services and code paths', () => {
    const base = fingerprint('s', 'Error', 'x', stack(10));
    assert.notEqual(base, fingerprint('s', 'TypeError', 'x', stack(10)));
    assert.notEqual(base, fingerprint('other', 'Error', 'x', stack(10)));
    assert.notEqual(base, fingerprint('s', 'Error', 'x', stack(10).replace('charge', 'refund')));
  });
  it('falls back to the message with its values folded when there is no stack', () => {
    assert.equal(messageSignature('user "bob" id 42 not found (0xdeadbeef01)'), 'user ? id 0 not found (?)');
    assert.equal(fingerprint('s', 'E', 'user "bob" missing', ''), fingerprint('s', 'E', 'user "alice" missing', ''));
  });
});
