// Trace and span ids: W3C-valid lowercase hex of the right length, never all zeros, and not
// repeating across a large sample (they come from a pooled random buffer refilled in blocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newSpanId, newTraceId } from '../dist/tracer/ids';

test('ids are lowercase hex of 16 and 32 characters, distinct across refills of the pool', () => {
  const spans = new Set<string>();
  const traces = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const s = newSpanId();
    const t = newTraceId();
    assert.match(s, /^[0-9a-f]{16}$/);
    assert.match(t, /^[0-9a-f]{32}$/);
    assert.notEqual(s, '0'.repeat(16));
    assert.notEqual(t, '0'.repeat(32));
    spans.add(s);
    traces.add(t);
  }
  assert.equal(spans.size, 20000);
  assert.equal(traces.size, 20000);
  // Every hex digit shows up in every position of the trace id over this many samples.
  for (let pos = 0; pos < 32; pos++) assert.equal(new Set([...traces].map((t) => t[pos])).size, 16, `position ${pos}`);
});
