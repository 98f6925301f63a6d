// The lean Context behaves as the OpenTelemetry API's own: immutable, newest value wins,
// delete hides a value, and the W3C propagators and trace helpers work on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, createContextKey, defaultTextMapGetter, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import { TraceState, W3CBaggagePropagator, W3CTraceContextPropagator, suppressTracing } from '@opentelemetry/core';
import { w3cPropagator } from '../dist/tracer/propagators';
import { Tracer } from '../dist/tracer/tracer';
import { EMPTY_CONTEXT } from '../dist/tracer/context';

const A = createContextKey('a');
const B = createContextKey('b');

test('setValue returns a new context and leaves the old one as it was', () => {
  const one = EMPTY_CONTEXT.setValue(A, 1);
  const two = one.setValue(A, 2).setValue(B, 'b');
  assert.equal(EMPTY_CONTEXT.getValue(A), undefined);
  assert.equal(one.getValue(A), 1);
  assert.equal(one.getValue(B), undefined);
  assert.equal(two.getValue(A), 2);
  assert.equal(two.getValue(B), 'b');
});

test('deleteValue hides the key in the new context only', () => {
  const set = EMPTY_CONTEXT.setValue(A, 1).setValue(B, 2);
  const deleted = set.deleteValue(A);
  assert.equal(deleted.getValue(A), undefined);
  assert.equal(deleted.getValue(B), 2);
  assert.equal(set.getValue(A), 1);
  assert.equal(deleted.setValue(A, 3).getValue(A), 3);
});

test('a long chain is flattened and keeps the newest value of every key', () => {
  const keys = Array.from({ length: 10 }, (_, i) => createContextKey(`k${i}`));
  let ctx = EMPTY_CONTEXT;
  for (let i = 0; i < 500; i++) ctx = i % 7 === 3 ? ctx.deleteValue(keys[i % 10]) : ctx.setValue(keys[i % 10], i);
  const expected = keys.map((_, k) => {
    for (let i = 499; i >= 0; i--) if (i % 10 === k) return i % 7 === 3 ? undefined : i;
    return undefined;
  });
  assert.deepEqual(keys.map((key) => ctx.getValue(key)), expected);
  // Depth is bounded: walking the chain stays within the flatten limit plus the keys.
  let depth = 0;
  for (let c = ctx as unknown as { parent?: unknown } | undefined; c !== undefined; c = (c as { parent?: unknown }).parent as typeof c) depth++;
  assert.ok(depth <= 33 + keys.length, `chain depth ${depth}`);
});

test('trace context and baggage extract into it and inject from it, as from ROOT_CONTEXT', () => {
  const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'v=1', baggage: 'user=alice' };
  const propagators = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
  const extract = (root: typeof ROOT_CONTEXT) => propagators.reduce((ctx, p) => p.extract(ctx, headers, defaultTextMapGetter), root);
  const ours = extract(EMPTY_CONTEXT);
  const theirs = extract(ROOT_CONTEXT);
  assert.deepEqual({ ...trace.getSpanContext(ours), traceState: undefined }, { ...trace.getSpanContext(theirs), traceState: undefined });
  assert.equal(trace.getSpanContext(ours)?.traceState?.serialize(), 'v=1');
  const out: Record<string, string> = {};
  for (const p of propagators) p.inject(ours, out, defaultTextMapSetter);
  assert.equal(out.traceparent, headers.traceparent);
  assert.equal(out.baggage, 'user=alice');
});

test("tracekit's propagator injects from its own spans what core's does, and nothing when tracing is suppressed", () => {
  const core = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
  const ours = w3cPropagator();
  const sampled = new Tracer({ rate: 1, parentBased: true }, 'test', undefined);
  const unsampled = new Tracer({ rate: 0, parentBased: true }, 'test', undefined);
  const remote = trace.setSpanContext(EMPTY_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: 1,
    isRemote: true,
    traceState: new TraceState('vendor=abc,other=1'),
  });
  const bag = propagation.setBaggage(EMPTY_CONTEXT, propagation.createBaggage({ user: { value: 'alice' } }));
  const cases = {
    'sampled root': trace.setSpan(EMPTY_CONTEXT, sampled.startSpan('a', undefined, EMPTY_CONTEXT)),
    'unsampled root': trace.setSpan(EMPTY_CONTEXT, unsampled.startSpan('a', undefined, EMPTY_CONTEXT)),
    'child of a remote parent with trace state': trace.setSpan(remote, sampled.startSpan('a', undefined, remote)),
    'remote parent itself': remote,
    'span and baggage': trace.setSpan(bag, sampled.startSpan('a', undefined, bag)),
  };
  for (const [name, ctx] of Object.entries(cases)) {
    const expected: Record<string, string> = {};
    for (const p of core) p.inject(ctx, expected, defaultTextMapSetter);
    const got: Record<string, string> = {};
    ours.inject(ctx, got, defaultTextMapSetter);
    assert.match(got.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/, name);
    assert.deepEqual(got, expected, name);
  }
  const suppressed: Record<string, string> = {};
  ours.inject(suppressTracing(cases['sampled root']), suppressed, defaultTextMapSetter);
  assert.equal(suppressed.traceparent, undefined);
});

test("tracekit's own W3C propagators extract and inject what @opentelemetry/core's do, header by header", () => {
  const core = [new W3CTraceContextPropagator(), new W3CBaggagePropagator()];
  const ours = w3cPropagator();
  const id = '0af7651916cd43dd8448eb211c80319c';
  const span = 'b7ad6b7169203331';
  const corpus: Record<string, string | string[]>[] = [
    { traceparent: `00-${id}-${span}-01` },
    { traceparent: `00-${id}-${span}-00`, tracestate: 'rojo=00f067aa0ba902b7,congo=t61rcWkgMzE' },
    { traceparent: ` 00-${id}-${span}-01 ` },
    { traceparent: `00-${id.toUpperCase()}-${span}-01` },
    { traceparent: `ff-${id}-${span}-01` },
    { traceparent: `00-${id}-${span}-01-extra` },
    { traceparent: `01-${id}-${span}-01-future-fields` },
    { traceparent: `00-${'0'.repeat(32)}-${span}-01` },
    { traceparent: `00-${id}-${'0'.repeat(16)}-01` },
    { traceparent: `00-${id}-${span}-1` },
    { traceparent: [`00-${id}-${span}-01`, `00-${'1'.repeat(32)}-${span}-01`] },
    { traceparent: `00-${id}-${span}-01`, tracestate: ['a=1', 'b=2'] },
    { traceparent: `00-${id}-${span}-01`, tracestate: 'a=1,b=2,INVALID=x,c=,d=ok' },
    { traceparent: `00-${id}-${span}-01`, tracestate: Array.from({ length: 40 }, (_, i) => `k${i}=v${i}`).join(',') },
    { traceparent: `00-${id}-${span}-01`, tracestate: 'tenant@vendor=x , spaced=y' },
    { baggage: 'user=alice' },
    { baggage: 'user=alice;prop=1;flag, team = core , encoded=a%20b%2Cc' },
    { baggage: ['a=1', 'b=2'] },
    { baggage: 'bad=%E0%A4%A,good=1' },
    { baggage: '=novalue,novalue,ok=1' },
    { baggage: '' },
  ];
  const extracted = (ctx: ReturnType<typeof propagation.setBaggage>) => ({
    span: trace.getSpanContext(ctx) === undefined ? undefined : { ...trace.getSpanContext(ctx), traceState: trace.getSpanContext(ctx)?.traceState?.serialize() },
    baggage: propagation.getBaggage(ctx)?.getAllEntries().map(([k, e]) => [k, e.value, e.metadata?.toString()]),
  });
  for (const headers of corpus) {
    const name = JSON.stringify(headers).slice(0, 120);
    const theirs = core.reduce((ctx, p) => p.extract(ctx, headers, defaultTextMapGetter), ROOT_CONTEXT);
    const mine = ours.extract(EMPTY_CONTEXT, headers, defaultTextMapGetter);
    const t = extracted(theirs);
    const m = extracted(mine);
    // tracekit keeps only the sampled flag of traceparent's flags (W3C: unknown flags are not passed on).
    if (t.span?.traceFlags !== undefined) t.span.traceFlags &= 1;
    assert.deepEqual(m, t, name);
    const expected: Record<string, string> = {};
    for (const p of core) p.inject(theirs, expected, defaultTextMapSetter);
    const got: Record<string, string> = {};
    ours.inject(mine, got, defaultTextMapSetter);
    assert.deepEqual(got, expected, name);
  }
  // Duplicate keys are not allowed by W3C and the two implementations differ on them: tracekit
  // keeps each key's first member.
  const dup = ours.extract(EMPTY_CONTEXT, { traceparent: `00-${id}-${span}-01`, tracestate: 'a=1,b=2,a=3' }, defaultTextMapGetter);
  assert.equal(trace.getSpanContext(dup)?.traceState?.serialize(), 'a=1,b=2');
});
