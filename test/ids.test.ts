// Trace and span ids: W3C-valid lowercase hex of the right length, never all zeros, and not
// repeating across a large sample (they come from a pooled random buffer refilled in blocks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { traceIdHex } from '../dist/tracer/id-hex';
import { fillTraceWords, newSpanId } from '../dist/tracer/ids';
import { Tracer } from '../dist/tracer/tracer';
import { ProtoTraceBatch } from '../dist/otlp/trace-batch';
import { EMPTY_CONTEXT } from '../dist/tracer/context';

test('ids are lowercase hex of 16 and 32 characters, distinct across refills of the pool', () => {
  const spans = new Set<string>();
  const traces = new Set<string>();
  for (let i = 0; i < 20000; i++) {
    const s = newSpanId();
    const w = { t0: 0, t1: 0, t2: 0, t3: 0 };
    fillTraceWords(w);
    const t = traceIdHex(w);
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

test('span ids kept as words read back as the same hex, and encode to the same bytes', () => {
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
  const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const tracer = new Tracer({ rate: 1, parentBased: true }, 'test', undefined);
  // A remote parent given as hex (what an incoming traceparent becomes), with high bits set in every word.
  const remote = trace.setSpanContext(EMPTY_CONTEXT, { traceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', spanId: '8899aabbccddeeff', traceFlags: 1, isRemote: true });
  const parent = tracer.startSpan('parent', undefined, remote);
  const child = tracer.startSpan('child', undefined, trace.setSpan(EMPTY_CONTEXT, parent));
  const rootSpan = tracer.startSpan('root', undefined, EMPTY_CONTEXT);
  assert.equal(parent.spanContext().traceId, 'f0e1d2c3b4a5968778695a4b3c2d1e0f');
  assert.equal(child.spanContext().traceId, 'f0e1d2c3b4a5968778695a4b3c2d1e0f');
  assert.match(rootSpan.spanContext().traceId, /^[0-9a-f]{32}$/);
  const batch = new ProtoTraceBatch();
  for (const s of [parent, child, rootSpan]) {
    s.end();
    batch.add(s as never);
  }
  const decoded = TraceRequest.decode(batch.seal({ attributes: {} }));
  const byName = new Map<string, { traceId: Uint8Array; spanId: Uint8Array; parentSpanId: Uint8Array }>();
  for (const s of decoded.resourceSpans[0].scopeSpans[0].spans) byName.set(s.name, s);
  const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');
  for (const [name, s] of [['parent', parent], ['child', child], ['root', rootSpan]] as const) {
    assert.equal(hex(byName.get(name)?.traceId), s.spanContext().traceId, `${name} trace id`);
    assert.equal(hex(byName.get(name)?.spanId), s.spanContext().spanId, `${name} span id`);
  }
  assert.equal(hex(byName.get('parent')?.parentSpanId), '8899aabbccddeeff');
  assert.equal(hex(byName.get('child')?.parentSpanId), parent.spanContext().spanId);
  assert.equal(hex(byName.get('root')?.parentSpanId), '', 'a root span has no parent id');
});

test('a child of a sampled-out remote parent keeps its trace id and trace state, and is not recorded', () => {
  const tracer = new Tracer({ rate: 1, parentBased: true }, 'test', undefined);
  const parentContext = { traceId: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', spanId: '8899aabbccddeeff', traceFlags: 0, isRemote: true };
  const withState = trace.setSpanContext(EMPTY_CONTEXT, { ...parentContext, traceState: { get: () => undefined, set() { return this; }, unset() { return this; }, serialize: () => 'v=1' } });
  const child = tracer.startSpan('child', undefined, withState);
  assert.equal(child.isRecording(), false);
  const sc = child.spanContext();
  assert.equal(sc.traceId, parentContext.traceId);
  assert.match(sc.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(sc.spanId, parentContext.spanId);
  assert.equal(sc.traceFlags, 0);
  assert.equal(sc.traceState?.serialize(), 'v=1');
});

test('an unsampled root span has valid ids with the sampled flag off; its children keep its trace id, and a sampled child names it as parent', () => {
  const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
  const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
  const never = new Tracer({ rate: 0, parentBased: true }, 'test', undefined);
  const unsampled = never.startSpan('request', undefined, EMPTY_CONTEXT);
  assert.equal(unsampled.isRecording(), false);
  const sc = unsampled.spanContext();
  assert.match(sc.traceId, /^[0-9a-f]{32}$/);
  assert.match(sc.spanId, /^[0-9a-f]{16}$/);
  assert.notEqual(sc.spanId, '0'.repeat(16));
  assert.equal(sc.traceFlags, 0);
  assert.equal(sc.traceState, undefined);
  assert.equal(unsampled.spanContext(), sc, 'built once');
  // Calls on it are accepted and change nothing.
  unsampled.setAttribute('a', 1).addEvent('e').setStatus({ code: 2 }).updateName('x').end();

  // Parent-based: a child of an unsampled span is unsampled too, in the same trace.
  const ctx = trace.setSpan(EMPTY_CONTEXT, unsampled);
  const child = never.startSpan('query', undefined, ctx);
  assert.equal(child.isRecording(), false);
  assert.equal(child.spanContext().traceId, sc.traceId);
  assert.notEqual(child.spanContext().spanId, sc.spanId);

  // Not parent-based at rate 1: the child is recorded, in the same trace, under the unsampled span.
  const always = new Tracer({ rate: 1, parentBased: false }, 'test', undefined);
  const recorded = always.startSpan('query', undefined, ctx);
  assert.equal(recorded.isRecording(), true);
  recorded.end();
  const batch = new ProtoTraceBatch();
  batch.add(recorded as never);
  const decoded = TraceRequest.decode(batch.seal({ attributes: {} }));
  const out = decoded.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(Buffer.from(out.traceId).toString('hex'), sc.traceId);
  assert.equal(Buffer.from(out.parentSpanId).toString('hex'), sc.spanId);
});
