// The OTLP encoders, decoded by the official protos (protobufjs, from otlp-transformer)
// and by JSON.parse: every field tracekit writes must come back as written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMetricsProto } from '../dist/otlp/encode-proto';
import { encodeTracesJson, encodeTracesProto, JsonTraceBatch, ProtoTraceBatch } from '../dist/otlp/trace-batch';
import { encodeMetricsJson } from '../dist/otlp/encode-json';
import type { MetricRecord, SpanRecord } from '../dist/otlp/types';
import { PayloadBuffers } from '../dist/exporter/payload-buffers';

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const SpanMessage = root.opentelemetry.proto.trace.v1.Span;
const MetricsRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

function span(overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '00f067aa0ba902b7',
    traceState: 'vendor=x',
    name: 'GET /users/:id',
    kind: 2,
    startMs: 1_763_700_000_123.456,
    endMs: 1_763_700_000_125.5,
    attributes: {
      'http.request.method': 'GET',
      'http.response.status_code': 200,
      ratio: 0.25,
      negative: -42,
      ok: true,
      list: ['a', 'b'],
      'unicode.text': 'héllo ✓ 日本',
      long: 'x'.repeat(300),
    },
    events: [{ name: 'exception', timeMs: 1_763_700_000_124, attributes: { 'exception.type': 'Error', 'exception.message': 'boom' } }],
    links: [{ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceState: undefined, attributes: { why: 'batch' } }],
    statusCode: 2,
    statusMessage: 'failed',
    droppedAttributes: 3,
    droppedEvents: 0,
    scopeName: 'tracekit',
    scopeVersion: '0.1.0',
    ...overrides,
  };
}

const resource = { attributes: { 'service.name': 'svc', 'process.pid': 1234 } };

function decodeAttrs(list: { key: string; value: Record<string, unknown> }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const v = kv.value;
    out[kv.key] =
      v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ??
      (v.arrayValue as { values: { stringValue: string }[] } | undefined)?.values.map((x) => x.stringValue);
  }
  return out;
}

test('spans encoded as protobuf decode with the official protos, field by field', () => {
  const many = Array.from({ length: 50 }, (_, i) => span({ spanId: i.toString(16).padStart(16, '0'), scopeName: i % 2 ? 'tracekit' : 'user' }));
  const decoded = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, many)), { longs: String, bytes: String });
  const rs = decoded.resourceSpans[0];
  assert.deepEqual(decodeAttrs(rs.resource.attributes), { 'service.name': 'svc', 'process.pid': 1234 });
  assert.equal(rs.scopeSpans.length, 2, 'grouped by scope');
  const all = rs.scopeSpans.flatMap((s: { spans: unknown[] }) => s.spans);
  assert.equal(all.length, 50);
  const s = rs.scopeSpans.find((x: { scope: { name: string } }) => x.scope.name === 'tracekit').spans[0];
  assert.equal(Buffer.from(s.traceId, 'base64').toString('hex'), '0af7651916cd43dd8448eb211c80319c');
  assert.equal(Buffer.from(s.parentSpanId, 'base64').toString('hex'), '00f067aa0ba902b7');
  assert.equal(s.traceState, 'vendor=x');
  assert.equal(s.name, 'GET /users/:id');
  assert.equal(s.kind, 2);
  assert.equal(s.startTimeUnixNano, '1763700000123456000');
  assert.equal(s.endTimeUnixNano, '1763700000125500000');
  assert.deepEqual(decodeAttrs(s.attributes), span().attributes);
  assert.equal(s.droppedAttributesCount, 3);
  assert.equal(s.events[0].name, 'exception');
  assert.equal(s.events[0].timeUnixNano, '1763700000124000000');
  assert.deepEqual(decodeAttrs(s.events[0].attributes), { 'exception.type': 'Error', 'exception.message': 'boom' });
  assert.equal(Buffer.from(s.links[0].spanId, 'base64').toString('hex'), '2'.repeat(16));
  assert.deepEqual(s.status, { code: 2, message: 'failed' });
});

test('a root span has no parent id and an unset status is omitted', () => {
  const decoded = TraceRequest.decode(encodeTracesProto(resource, [span({ parentSpanId: undefined, statusCode: 0, statusMessage: undefined, events: undefined, links: undefined })]));
  const s = decoded.resourceSpans[0].scopeSpans[0].spans[0];
  assert.ok(!s.parentSpanId || s.parentSpanId.length === 0);
  assert.equal(s.status, null);
});

test('spans encoded as OTLP/JSON use hex ids and string nanoseconds', () => {
  const parsed = JSON.parse(encodeTracesJson(resource, [span()]));
  const s = parsed.resourceSpans[0].scopeSpans[0].spans[0];
  assert.equal(s.traceId, '0af7651916cd43dd8448eb211c80319c');
  assert.equal(s.startTimeUnixNano, '1763700000123456000');
  assert.deepEqual(s.attributes.find((a: { key: string }) => a.key === 'http.response.status_code').value, { intValue: '200' });
  assert.deepEqual(s.attributes.find((a: { key: string }) => a.key === 'ratio').value, { doubleValue: 0.25 });
});

const metrics: MetricRecord[] = [
  {
    name: 'http.server.request.duration', description: 'd', unit: 's', type: 'histogram', temporality: 'delta',
    points: [{ attributes: { 'http.route': '/a' }, startMs: 1000, timeMs: 2000, count: 3, sum: 0.6, min: 0.1, max: 0.3, bounds: [0.1, 0.2], counts: [1, 1, 1] }],
  },
  { name: 'process.memory.usage', description: '', unit: 'By', type: 'gauge', points: [{ attributes: {}, startMs: 1000, timeMs: 2000, value: 123.5 }] },
  {
    name: 'http.server.active_requests', description: '', unit: '{request}', type: 'sum', temporality: 'cumulative', monotonic: false,
    points: [{ attributes: {}, startMs: 1000, timeMs: 2000, value: -2, isInt: true }],
  },
];

test('metrics encoded as protobuf decode with the official protos', () => {
  const d = MetricsRequest.toObject(MetricsRequest.decode(encodeMetricsProto(resource, { name: 'tracekit' }, metrics)), { longs: String });
  const ms = d.resourceMetrics[0].scopeMetrics[0].metrics;
  assert.equal(ms.length, 3);
  const h = ms[0].histogram;
  assert.equal(h.aggregationTemporality, 1);
  assert.equal(h.dataPoints[0].count, '3');
  assert.deepEqual(h.dataPoints[0].bucketCounts, ['1', '1', '1']);
  assert.deepEqual(h.dataPoints[0].explicitBounds, [0.1, 0.2]);
  assert.equal(h.dataPoints[0].min, 0.1);
  assert.equal(h.dataPoints[0].max, 0.3);
  assert.equal(ms[1].gauge.dataPoints[0].asDouble, 123.5);
  assert.equal(ms[2].sum.dataPoints[0].asInt, '-2');
  assert.equal(ms[2].sum.aggregationTemporality, 2);
});

test('metrics encoded as JSON carry the same values', () => {
  const d = JSON.parse(encodeMetricsJson(resource, { name: 'tracekit' }, metrics));
  const ms = d.resourceMetrics[0].scopeMetrics[0].metrics;
  assert.deepEqual(ms[0].histogram.dataPoints[0].bucketCounts, ['1', '1', '1']);
  assert.equal(ms[2].sum.dataPoints[0].asInt, '-2');
});

test('timestamps are exact nanoseconds (whole microseconds) across the whole range, without BigInt on the hot path', () => {
  // Compared with an independent BigInt computation of the same rounding.
  const expected = (ms: number): string => {
    const whole = Math.floor(ms);
    return (BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1000)) * 1000n).toString();
  };
  const times = [0.001, 1, 4095.999, 1_048_575.5, 1_763_700_000_123.456, 4_102_444_800_000.999, 2 ** 41 + 0.25];
  for (let i = 0; i < 2000; i++) times.push(Math.random() * 4e12, 1.7e12 + Math.random() * 1e10);
  const spans = times.map((t, i) => span({ spanId: (i + 1).toString(16).padStart(16, '0'), startMs: t, endMs: t, events: undefined, links: undefined }));
  const decoded = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, spans)), { longs: String });
  const got = decoded.resourceSpans[0].scopeSpans[0].spans.map((s: { startTimeUnixNano: string }) => s.startTimeUnixNano);
  assert.deepEqual(got, times.map(expected));
});

test('a malformed id is left out instead of corrupting the message; other spans in the batch survive', () => {
  const decoded = TraceRequest.toObject(
    TraceRequest.decode(encodeTracesProto(resource, [span({ parentSpanId: 'zz'.repeat(8) }), span({ spanId: 'abc' }), span({ name: 'fine' })])),
    { bytes: String },
  );
  const spans = decoded.resourceSpans[0].scopeSpans[0].spans;
  assert.equal(spans.length, 3);
  assert.ok(!spans[0].parentSpanId, 'non-hex parent id dropped');
  assert.ok(!spans[1].spanId, 'odd-length span id dropped');
  assert.equal(spans[2].name, 'fine');
});

test('a batch is reusable: after seal and reset it encodes the next spans only, and a span that cannot be encoded is refused whole', () => {
  const batch = new ProtoTraceBatch();
  batch.add(span({ name: 'first' }));
  const first = TraceRequest.decode(batch.seal(resource));
  assert.equal(first.resourceSpans[0].scopeSpans[0].spans[0].name, 'first');
  batch.reset();
  assert.equal(batch.spans, 0);
  // A revoked proxy smuggled in as an array value makes the encoder throw mid-span.
  const { proxy, revoke } = Proxy.revocable(['a'], {});
  revoke();
  const bad = span({ name: 'bad', attributes: { fine: 'x', list: proxy as unknown as string[] } });
  assert.equal(batch.add(bad), -1);
  assert.ok(batch.add(span({ name: 'second' })) > 0);
  const second = TraceRequest.decode(batch.seal(resource));
  assert.deepEqual(second.resourceSpans[0].scopeSpans[0].spans.map((s: { name: string }) => s.name), ['second']);
  assert.equal(batch.spans, 1);
});

test('a batch sealed into a spare buffer full of an older payload gives the same bytes as into a fresh one, in that buffer', () => {
  const batch = new ProtoTraceBatch();
  batch.add(span({ name: 'small' }));
  const fresh = Buffer.from(batch.seal(resource));
  const spare = new ArrayBuffer(fresh.length * 4);
  new Uint8Array(spare).fill(0xff); // what a bigger batch before it left behind
  let asked = 0;
  const reused = batch.seal(resource, (bytes) => {
    asked = bytes;
    return spare;
  });
  assert.ok(asked >= fresh.length, `asked for room for the whole payload (${asked} of ${fresh.length})`);
  assert.equal(reused.buffer, spare, 'written into the spare, so no new buffer was made');
  assert.deepEqual(Buffer.from(reused), fresh);
  assert.equal(TraceRequest.decode(reused).resourceSpans[0].scopeSpans[0].spans[0].name, 'small');
  // A spare too small is not used.
  assert.notEqual(batch.seal(resource, () => new ArrayBuffer(8)).buffer.byteLength, 8);
});

test('the payload buffer pool keeps three at most and gives only one big enough, letting smaller ones go', () => {
  const pool = new PayloadBuffers();
  assert.equal(pool.take(10), undefined);
  for (const size of [100, 200, 300, 400]) pool.give(new ArrayBuffer(size));
  assert.equal(pool.size, 3);
  assert.equal(pool.take(250)?.byteLength, 300);
  assert.equal(pool.size, 2, 'the 300 taken, the 400 never kept');
  assert.equal(pool.take(500), undefined, 'none big enough: the smaller ones are let go');
  assert.equal(pool.size, 0);
  pool.give(new ArrayBuffer(0));
  assert.equal(pool.size, 0, 'an empty (detached) buffer is not kept');
});

test('JSON batches group by scope like protobuf ones and parse back', () => {
  const batch = new JsonTraceBatch();
  batch.add(span({ name: 'a', scopeName: 'tracekit' }));
  batch.add(span({ name: 'b', scopeName: 'user', scopeVersion: undefined }));
  batch.add(span({ name: 'c', scopeName: 'tracekit' }));
  const parsed = JSON.parse(Buffer.from(batch.seal(resource)).toString('utf8'));
  const scopes = parsed.resourceSpans[0].scopeSpans.map((s: { scope: { name: string }; spans: { name: string }[] }) => [s.scope.name, s.spans.map((x) => x.name)]);
  assert.deepEqual(scopes, [['tracekit', ['a', 'c']], ['user', ['b']]]);
});

test('attributes at the edges of the one-pass paths decode exactly (lengths 120/121, varint widths, non-ASCII late in a value)', () => {
  const attributes: Record<string, string | number> = {
    ['k'.repeat(20)]: 'v'.repeat(100),
    ['q'.repeat(21)]: 'v'.repeat(100),
    late: `${'a'.repeat(50)}é`,
    ['ключ']: 'value',
  };
  for (const n of [0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 2 ** 40, 1.5]) attributes[`n${n}`] = n;
  const decoded = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [span({ attributes })])), { longs: String });
  assert.deepEqual(decodeAttrs(decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes), attributes);
});

test('a shared attribute block encodes like the same attributes set one by one, and a key set later overrides it without a duplicate', () => {
  const { Span, MAX_ATTRIBUTES, MAX_STRING_LENGTH } = require('../dist/tracer/span');
  const { attributeBlock } = require('../dist/tracer/attribute-block');
  const ids = { t0: 1, t1: 2, t2: 3, t3: 4 };
  const block = attributeBlock(
    ['url.scheme', 'server.address', 'server.port', 'client.address', 'user_agent.original', 'absent'],
    ['http', 'example.test', 8080, '10.0.0.1', `agent ✓ ${'u'.repeat(MAX_STRING_LENGTH)}`, undefined],
  );
  assert.deepEqual(block.keys, ['url.scheme', 'server.address', 'server.port', 'client.address', 'user_agent.original']);
  const decodeOne = (s: unknown) => {
    const decoded = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [s as SpanRecord])), { longs: String });
    return decodeAttrs(decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes);
  };
  const withBlock = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(block);
  assert.deepEqual(withBlock.attributeBlocks, [block], 'kept whole');
  withBlock.setAttribute('http.request.method', 'GET');
  const oneByOne = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined);
  for (let i = 0; i < block.keys.length; i++) oneByOne.setAttribute(block.keys[i], block.values[i]);
  oneByOne.setAttribute('http.request.method', 'GET');
  const expected = decodeOne(oneByOne);
  assert.equal((expected['user_agent.original'] as string).length, MAX_STRING_LENGTH, 'block values are cut to the span limits');
  assert.deepEqual(decodeOne(withBlock), expected);
  assert.deepEqual(withBlock.attributes, oneByOne.attributes);

  // Setting a key the block holds replaces its value; every other block attribute stays, once.
  withBlock.setAttribute('server.port', 9090);
  const overridden = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [withBlock])), { longs: String }).resourceSpans[0].scopeSpans[0].spans[0].attributes;
  assert.deepEqual(overridden.map((kv: { key: string }) => kv.key).sort(), [...block.keys, 'http.request.method'].sort());
  assert.equal(decodeOne(withBlock)['server.port'], 9090);
  // The block itself is shared and was not changed.
  assert.equal(block.values[2], 8080);

  // The block counts toward the attribute limit.
  const full = new Span('x', 0, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(block);
  for (let i = 0; i < MAX_ATTRIBUTES + 10; i++) full.setAttribute(`k${i}`, i);
  assert.equal(Object.keys(full.attributes).length, MAX_ATTRIBUTES);
  assert.equal(full.droppedAttributes, block.keys.length + 10);
  // A block that would pass the limit is not kept: its attributes go one by one, the rest dropped and counted.
  const nearlyFull = new Span('x', 0, ids, 0, 0, undefined, 'tracekit', undefined);
  for (let i = 0; i < MAX_ATTRIBUTES - 2; i++) nearlyFull.setAttribute(`k${i}`, i);
  nearlyFull.useBlock(block);
  assert.deepEqual(nearlyFull.attributeBlocks, []);
  assert.equal(Object.keys(nearlyFull.attributes).length, MAX_ATTRIBUTES);
  assert.equal(nearlyFull.droppedAttributes, block.keys.length - 2);
});

test('a block never replaces an attribute the span has: its other keys are set one by one', () => {
  const { Span } = require('../dist/tracer/span');
  const { attributeBlock } = require('../dist/tracer/attribute-block');
  const { ServerSpanTails } = require('../dist/instrumentations/server-span-tail');
  const ids = { t0: 1, t1: 2, t2: 3, t3: 4 };
  const keysOf = (s: unknown) => {
    const decoded = TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [s as SpanRecord])), { longs: String });
    return (decoded.resourceSpans[0].scopeSpans[0].spans[0].attributes as { key: string }[]).map((kv) => kv.key).sort();
  };
  const tails = new ServerSpanTails();
  const block = tails.blockFor('/users/:id', 'GET', 503);
  assert.equal(tails.blockFor('/users/:id', 'GET', 503), block, 'the same (route, method, status) shares one block');
  assert.notEqual(tails.blockFor('/users/:id', 'GET', 200), block);
  assert.deepEqual(block.keys, ['http.request.method', 'http.route', 'http.response.status_code', 'error.type']);
  assert.deepEqual(tails.blockFor(undefined, 'POST', 0).keys, ['http.request.method'], 'no route and no status: the method alone');
  const long = `/${'x'.repeat(300)}`;
  assert.notEqual(tails.blockFor(long, 'GET', 200), tails.blockFor(long, 'GET', 200), 'a route past the length limit gets a block of its own each time');
  assert.deepEqual(tails.blockFor(long, 'GET', 200).values, ['GET', long, 200]);

  // A second block after the span's own attributes and a first block, as the http server ends a request.
  const connection = attributeBlock(['url.scheme', 'server.port'], ['http', 8080]);
  const server = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(connection);
  server.setAttribute('url.path', '/users/7');
  server.useBlock(block);
  assert.deepEqual(server.attributeBlocks, [connection, block]);
  const oneByOne = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined);
  for (const b of [connection, block]) for (let i = 0; i < b.keys.length; i++) oneByOne.setAttribute(b.keys[i], b.values[i]);
  oneByOne.setAttribute('url.path', '/users/7');
  assert.deepEqual(decodeAttrs(TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [server])), { longs: String }).resourceSpans[0].scopeSpans[0].spans[0].attributes), decodeAttrs(TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [oneByOne])), { longs: String }).resourceSpans[0].scopeSpans[0].spans[0].attributes));
  assert.deepEqual(server.attributes, oneByOne.attributes);
  // A key set afterwards replaces that value once, whichever block held it; the others stay.
  server.setAttribute('http.response.status_code', 504);
  assert.deepEqual(server.attributeBlocks, [connection]);
  assert.deepEqual(keysOf(server), ['error.type', 'http.request.method', 'http.response.status_code', 'http.route', 'server.port', 'url.path', 'url.scheme']);
  assert.equal(server.attributes['http.response.status_code'], 504);
  assert.equal(server.attributes['http.route'], '/users/:id');
  // The same block again: every key is there, nothing changes and nothing is written twice.
  server.useBlock(block);
  assert.equal(server.attributes['http.response.status_code'], 504);
  assert.deepEqual(keysOf(server), ['error.type', 'http.request.method', 'http.response.status_code', 'http.route', 'server.port', 'url.path', 'url.scheme']);

  // A route that code set while the request ran stays; the block's other attributes are set.
  const userRoute = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined);
  userRoute.setAttribute('http.route', '/custom');
  userRoute.useBlock(block);
  assert.deepEqual(userRoute.attributeBlocks, []);
  assert.deepEqual(userRoute.attributes, { 'http.route': '/custom', 'http.request.method': 'GET', 'http.response.status_code': 503, 'error.type': '503' });
  // A key the span has from an earlier block stays the earlier block's.
  const twice = new Span('GET', 1, ids, 0, 0, undefined, 'tracekit', undefined).useBlock(block).useBlock(tails.blockFor('/users/:id', 'GET', 200));
  assert.deepEqual(twice.attributeBlocks, [block]);
  assert.equal(twice.attributes['http.response.status_code'], 503);
  assert.deepEqual(keysOf(twice), ['error.type', 'http.request.method', 'http.response.status_code', 'http.route']);
});

test('spans start with no attribute lists of their own and never share the ones they get', () => {
  const { Span } = require('../dist/tracer/span');
  const { attributeBlock } = require('../dist/tracer/attribute-block');
  const ids = { t0: 1, t1: 2, t2: 3, t3: 4 };
  const make = () => new Span('x', 0, ids, 0, 0, undefined, 'tracekit', undefined);
  const block = attributeBlock(['a', 'b'], ['1', 2]);
  const other = attributeBlock(['c'], ['3']);
  // Every path that moves a block into a span's own lists, starting from none of its own.
  const first = make().useBlock(block).setAttribute('a', 'one');
  const second = make().useBlock(other).useBlock(block);
  second.setAttribute('b', 3);
  const grown = make().setAttribute('k1', 1).setAttribute('k2', 2);
  assert.deepEqual(first.attributes, { a: 'one', b: 2 });
  assert.deepEqual(second.attributes, { c: '3', a: '1', b: 3 });
  assert.deepEqual(second.attributeBlocks, [other]);
  assert.deepEqual(grown.attributes, { k1: 1, k2: 2 });
  const fresh = make();
  assert.deepEqual(fresh.attributes, {});
  assert.deepEqual(fresh.attributeBlocks, []);
  assert.deepEqual(decodeAttrs(TraceRequest.toObject(TraceRequest.decode(encodeTracesProto(resource, [fresh])), { longs: String }).resourceSpans[0].scopeSpans[0].spans[0].attributes ?? []), {});
  fresh.setAttribute('only', 'mine');
  assert.deepEqual(make().attributes, {}, 'a new span does not see another span\'s attribute');
  assert.deepEqual(fresh.attributes, { only: 'mine' });
  assert.deepEqual(make().useBlock(other).attributeBlocks, [other], 'nor its blocks');
});

test('span messages of every size around the one- and two-byte length boundaries decode, with canonical lengths', () => {
  const bare = { parentSpanId: undefined, traceState: undefined, attributes: {}, events: undefined, links: undefined, statusCode: 0 as const, statusMessage: undefined, droppedAttributes: 0 };
  const sizes = new Set<number>();
  for (const n of [...Array.from({ length: 120 }, (_, i) => i), ...Array.from({ length: 160 }, (_, i) => 16250 + i)]) {
    const name = 'n'.repeat(n);
    const bytes = encodeTracesProto(resource, [span({ ...bare, name }), span({ ...bare, name: 'after' })]);
    const decoded = TraceRequest.decode(bytes);
    const spans = decoded.resourceSpans[0].scopeSpans[0].spans;
    assert.deepEqual(spans.map((s: { name: string }) => s.name), [name, 'after'], `name of ${n} characters`);
    // protobufjs writes minimal varints: the same length means ours are canonical too.
    assert.equal(TraceRequest.encode(decoded).finish().length, bytes.length, `canonical lengths, name of ${n} characters`);
    sizes.add(SpanMessage.encode(spans[0]).finish().length);
  }
  // Both boundaries were crossed: bodies of 127 and 128 bytes, 16383 and 16384 bytes.
  for (const body of [127, 128, 16383, 16384]) assert.ok(sizes.has(body), `a span body of ${body} bytes was encoded`);
});
