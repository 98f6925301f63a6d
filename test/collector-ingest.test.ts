/**
 * OTLP ingest against a real `tracekit start`: protobuf (built with the official proto
 * definitions), JSON, gzip, partial success, the answers' encodings, and every kind of bad
 * input, after which the collector still serves and has lost nothing it accepted.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startCollectorProcess, type CollectorProcess } from './helpers/collector';
import { decode, encode, LogsRequest, MetricsRequest, ns, randomHex, TraceRequest, TraceResponse, traceRequestObject, type SimpleSpan } from './helpers/official-otlp';

interface Posted { status: number; type: string | null; body: Buffer; headers: Headers }

async function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Posted> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, type: res.headers.get('content-type'), body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

interface Stored { spans: number; errors: number; metricPoints: number; logs: number }
interface Span { spanId: string; parentId: string | null; name: string; kind: number; durationMs: number; status: number; statusMessage: string | null; scope: string; attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }

describe('OTLP ingest', () => {
  let collector: CollectorProcess;
  const stored = async (): Promise<Stored> => (await collector.api<{ stored: Stored }>('status')).stored;

  before(async () => {
    collector = await startCollectorProcess();
  });
  after(async () => {
    await collector.stop();
  });

  it('accepts protobuf from the official definitions, every attribute type intact, and answers in protobuf', async () => {
    const traceId = randomHex(16);
    const rootId = randomHex(8);
    const childId = randomHex(8);
    const start = Date.now() - 100;
    const body = encode(TraceRequest, traceRequestObject('proto-svc', [
      {
        traceId, spanId: rootId, name: 'GET /users/:id', kind: 2, startMs: start, durationMs: 40, status: { code: 2, message: 'boom' },
        attributes: [
          { key: 'http.route', value: { stringValue: '/users/:id' } },
          { key: 'http.response.status_code', value: { intValue: 503 } },
          { key: 'flag', value: { boolValue: true } },
          { key: 'ratio', value: { doubleValue: 0.25 } },
          { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } } },
          { key: 'map', value: { kvlistValue: { values: [{ key: 'k', value: { intValue: 7 } }] } } },
          { key: 'raw', value: { bytesValue: Buffer.from('hi') } },
        ],
        events: [{ timeUnixNano: ns(start + 10), name: 'exception', attributes: [
          { key: 'exception.type', value: { stringValue: 'TypeError' } },
          { key: 'exception.message', value: { stringValue: 'x is not a function' } },
          { key: 'exception.stacktrace', value: { stringValue: 'TypeError: x is not a function\n    at handler (/srv/app.js:10:5)' } },
        ] }],
      },
      { traceId, spanId: childId, parentSpanId: rootId, name: 'SELECT users', kind: 3, startMs: start + 5, durationMs: 10 },
    ]));
    const res = await post(`${collector.url}/v1/traces`, body, PROTO);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/x-protobuf');
    assert.deepEqual(decode(TraceResponse, res.body), {}, 'full success: no partial_success');

    const trace = await collector.api<{ spans: Span[] }>(`traces/${traceId}`);
    assert.equal(trace.spans.length, 2);
    const root = trace.spans.find((s) => s.spanId === rootId) as Span;
    assert.equal(root.name, 'GET /users/:id');
    assert.equal(root.kind, 2);
    assert.equal(root.status, 2);
    assert.equal(root.statusMessage, 'boom');
    assert.equal(root.scope, 'test-scope');
    assert.ok(Math.abs(root.durationMs - 40) < 0.01);
    assert.deepEqual(root.attributes, { 'http.route': '/users/:id', 'http.response.status_code': 503, flag: true, ratio: 0.25, list: ['a', 'b'], map: '{"k":7}', raw: Buffer.from('hi').toString('base64') });
    assert.equal(root.events[0].attributes['exception.type'], 'TypeError');
    assert.equal(trace.spans.find((s) => s.spanId === childId)?.parentId, rootId);
    const errors = await collector.api<{ type: string; count: number; routes: string[] }[]>('errors?service=proto-svc&window=5m');
    assert.deepEqual(errors.map((e) => [e.type, e.count, e.routes]), [['TypeError', 1, ['/users/:id']]]);
  });

  it('accepts JSON with 64-bit integers as strings or numbers, hex ids, and answers in JSON', async () => {
    const traceId = randomHex(16);
    const start = Date.now() - 100;
    const span = (spanId: string, startNs: string | number, endNs: string | number): unknown => ({
      traceId: traceId.toUpperCase(), spanId, name: 'json span', kind: 2, startTimeUnixNano: startNs, endTimeUnixNano: endNs,
      attributes: [{ key: 'n', value: { intValue: '42' } }, { key: 'm', value: { intValue: 43 } }], status: {},
    });
    const startNs = BigInt(Math.round(start * 1000)) * 1000n;
    const request = { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'json-svc' } }] }, scopeSpans: [{ scope: { name: 's' }, spans: [
      span(randomHex(8), String(startNs), String(startNs + 30_000_000n)),
      span(randomHex(8), Number(startNs), Number(startNs + 20_000_000n)),
    ] }] }] };
    const res = await post(`${collector.url}/v1/traces`, JSON.stringify(request), JSON_CT);
    assert.equal(res.status, 200);
    assert.equal(res.type, 'application/json');
    assert.equal(res.body.toString(), '{}');
    const trace = await collector.api<{ spans: Span[] }>(`traces/${traceId}`);
    assert.deepEqual(trace.spans.map((s) => Math.round(s.durationMs)).sort(), [20, 30]);
    assert.deepEqual(trace.spans[0].attributes, { n: 42, m: 43 });
  });

  it('accepts gzip bodies', async () => {
    const traceId = randomHex(16);
    const res = await post(`${collector.url}/v1/traces`, gzipSync(encode(TraceRequest, traceRequestObject('gzip-svc', [{ traceId }]))), { ...PROTO, 'content-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal((await collector.api<{ spans: Span[] }>(`traces/${traceId}`)).spans.length, 1);
  });

  it('reports unusable spans as partial success and stores the rest', async () => {
    const good = randomHex(16);
    const now = Date.now();
    const spans = [{ traceId: good }, { traceId: '0'.repeat(32) }, { startMs: now, durationMs: -5 }];
    const proto = await post(`${collector.url}/v1/traces`, encode(TraceRequest, traceRequestObject('partial', spans)), PROTO);
    assert.equal(proto.status, 200);
    const answer = decode(TraceResponse, proto.body) as { partialSuccess?: { rejectedSpans: string; errorMessage: string } };
    assert.equal(answer.partialSuccess?.rejectedSpans, '2');
    assert.match(answer.partialSuccess?.errorMessage ?? '', /all-zero trace id/);
    assert.equal((await collector.api<{ spans: Span[] }>(`traces/${good}`)).spans.length, 1);

    const json = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0'.repeat(32), spanId: randomHex(8), name: 'x', startTimeUnixNano: ns(now), endTimeUnixNano: ns(now + 1) }] }] }] };
    const res = await post(`${collector.url}/v1/traces`, JSON.stringify(json), JSON_CT);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body.toString()), { partialSuccess: { rejectedSpans: '1', errorMessage: '1 rejected: span with an all-zero trace id' } });
  });

  it('refuses a body declared over the limit with 413 as soon as its headers arrive, and keeps serving', async () => {
    // A raw request that declares 17 MB and sends 64 KB of it: the answer cannot depend on
    // whether the server closed the connection before a client finished uploading (with
    // fetch and the whole body, the client sometimes saw that close as a reset instead).
    const url = new URL(`${collector.url}/v1/traces`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...PROTO, 'content-length': String(17 * 1024 * 1024) } });
      req.on('response', (res) => {
        res.resume();
        req.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.alloc(64 * 1024, 1));
    });
    assert.equal(status, 413);
    assert.equal((await fetch(`${collector.url}/v1/traces`)).status, 405, 'still serving');
  });

  it('refuses bad input with the right 4xx, keeps serving, and loses nothing it had accepted', async () => {
    const before = await stored();
    const valid = encode(TraceRequest, traceRequestObject('bad-input', [{}, {}]));
    const shortId = encode(TraceRequest, traceRequestObject('bad-input', [{ traceId: randomHex(8) }]));
    // A valid resource followed by one with a wrong-length span id: the whole request is refused.
    const mixed = encode(TraceRequest, {
      resourceSpans: [
        ...(traceRequestObject('bad-input', [{}]) as { resourceSpans: unknown[] }).resourceSpans,
        ...(traceRequestObject('bad-input', [{ spanId: randomHex(4) }]) as { resourceSpans: unknown[] }).resourceSpans,
      ],
    });
    const bomb = gzipSync(Buffer.alloc(48 * 1024 * 1024));
    const cases: { name: string; body: Buffer | string; headers: Record<string, string>; status: number; message?: RegExp }[] = [
      { name: 'truncated protobuf', body: valid.subarray(0, valid.length - 7), headers: PROTO, status: 400, message: /truncated/ },
      { name: 'garbage protobuf', body: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), headers: PROTO, status: 400 },
      { name: 'trace id of 8 bytes', body: shortId, headers: PROTO, status: 400, message: /trace_id must be 16 bytes/ },
      { name: 'one bad span among good ones', body: mixed, headers: PROTO, status: 400, message: /span_id must be 8 bytes/ },
      { name: 'invalid JSON', body: '{"resourceSpans": [', headers: JSON_CT, status: 400, message: /invalid JSON/ },
      { name: 'JSON of the wrong shape', body: '{"resourceSpans": {"a": 1}}', headers: JSON_CT, status: 400, message: /must be an array/ },
      { name: 'JSON span id of the wrong length', body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: randomHex(16), spanId: 'abc', startTimeUnixNano: '1' }] }] }] }), headers: JSON_CT, status: 400, message: /spanId must be 8 bytes/ },
      { name: 'wrong content type', body: valid, headers: { 'content-type': 'text/plain' }, status: 415 },
      { name: 'unknown content encoding', body: valid, headers: { ...PROTO, 'content-encoding': 'br' }, status: 415 },
      { name: 'corrupt gzip', body: Buffer.from('not gzip at all'), headers: { ...PROTO, 'content-encoding': 'gzip' }, status: 400, message: /gzip/ },
      { name: 'gzip bomb', body: bomb, headers: { ...PROTO, 'content-encoding': 'gzip' }, status: 413, message: /decompresses to more/ },
    ];
    for (const c of cases) {
      const res = await post(`${collector.url}/v1/traces`, c.body, c.headers);
      assert.equal(res.status, c.status, `${c.name}: ${res.body.toString().slice(0, 200)}`);
      if (c.message) assert.match(res.body.toString(), c.message, c.name);
    }
    assert.equal((await fetch(`${collector.url}/v1/traces`)).status, 405);
    assert.deepEqual(await stored(), before, 'nothing of a refused request was written');
    const after = await post(`${collector.url}/v1/traces`, valid, PROTO);
    assert.equal(after.status, 200, 'still serving');
    assert.equal((await stored()).spans, before.spans + 2);
  });

  it('answers 503 with Retry-After when the write queue is full, and stores every request it accepted', async () => {
    const small = await startCollectorProcess({ args: ['--max-queue', '1500'] });
    try {
      const bodies = Array.from({ length: 24 }, () => encode(TraceRequest, traceRequestObject('flood', Array.from({ length: 1000 }, () => ({})))));
      const answers = await Promise.all(bodies.map((b) => post(`${small.url}/v1/traces`, b, PROTO)));
      const ok = answers.filter((a) => a.status === 200).length;
      const busy = answers.filter((a) => a.status === 503);
      assert.equal(ok + busy.length, answers.length, `only 200 and 503: ${answers.map((a) => a.status).join(',')}`);
      assert.ok(busy.length > 0, 'some requests were refused');
      assert.ok(ok > 0, 'some requests were accepted');
      for (const b of busy) assert.equal(b.headers.get('retry-after'), '1');
      const status = await small.api<{ stored: Stored; ingest: { refusedRequests: number } }>('status');
      assert.equal(status.stored.spans, ok * 1000);
      assert.equal(status.ingest.refusedRequests, busy.length);
    } finally {
      await small.stop();
    }
  });

  it('turns cumulative histograms from other SDKs into deltas, so the overview counts each request once', async () => {
    const start = Date.now();
    const point = (count: number, at: number): unknown => ({
      attributes: [{ key: 'http.route', value: { stringValue: '/c' } }, { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.response.status_code', value: { intValue: 200 } }],
      startTimeUnixNano: ns(start), timeUnixNano: ns(at), count, sum: count * 0.01, bucketCounts: [0, count], explicitBounds: [0.005], min: 0.008, max: 0.012,
    });
    const request = (count: number, at: number): Buffer => encode(MetricsRequest, {
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cumulative' } }] }, scopeMetrics: [{ metrics: [{
        name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 2, dataPoints: [point(count, at)] },
      }] }] }],
    });
    assert.equal((await post(`${collector.url}/v1/metrics`, request(3, start + 100), PROTO)).status, 200);
    assert.equal((await post(`${collector.url}/v1/metrics`, request(5, start + 200), PROTO)).status, 200);
    const o = await collector.api<{ requests: number; source: string; maxMs: number }>('overview?service=cumulative&window=5m');
    assert.equal(o.source, 'metrics');
    assert.equal(o.requests, 5);
    assert.equal(o.maxMs, 12);
  });

  it('puts an outgoing call under its route in the graph even when its request span arrives later', async () => {
    const traceId = randomHex(16);
    const serverId = randomHex(8);
    const start = Date.now() - 200;
    const client = { traceId, parentSpanId: serverId, name: 'GET', kind: 3, startMs: start + 5, durationMs: 10, attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'server.address', value: { stringValue: 'late.example' } }] };
    const server = { traceId, spanId: serverId, name: 'GET /late/:id', kind: 2, startMs: start, durationMs: 50, attributes: [
      { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.route', value: { stringValue: '/late/:id' } }] };
    assert.equal((await post(`${collector.url}/v1/traces`, encode(TraceRequest, traceRequestObject('late-parent', [client])), PROTO)).status, 200);
    assert.equal((await post(`${collector.url}/v1/traces`, encode(TraceRequest, traceRequestObject('late-parent', [server])), PROTO)).status, 200);
    const graph = await collector.api<{ routeToHost: { route: string; host: string; calls: number }[] }>('graph?service=late-parent&window=5m');
    assert.deepEqual(graph.routeToHost.map((e) => [e.route, e.host, e.calls]), [['GET /late/:id', 'late.example', 1]]);
  });

  it('the graph counts exactly the calls the outgoing table counts, whatever the window and wherever its minutes begin', async () => {
    const now = Date.now();
    const spans: SimpleSpan[] = [];
    // 18 requests 10 s apart over the last three minutes, each with one outgoing call.
    for (let i = 0; i < 18; i++) {
      const traceId = randomHex(16);
      const serverId = randomHex(8);
      const start = now - 178_000 + i * 10_000;
      spans.push({ traceId, spanId: serverId, name: 'GET /edges/:id', kind: 2, startMs: start, durationMs: 40, attributes: [
        { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.route', value: { stringValue: '/edges/:id' } }] });
      spans.push({ traceId, parentSpanId: serverId, name: 'GET', kind: 3, startMs: start + 5, durationMs: 10, attributes: [
        { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'server.address', value: { stringValue: 'edges.example' } }] });
    }
    assert.equal((await post(`${collector.url}/v1/traces`, encode(TraceRequest, traceRequestObject('window-edges', spans)), PROTO)).status, 200);
    const queries = ['window=1m', 'window=5m', `from=${now - 95_000}&to=${now - 25_000}`, `from=${now - 150_000}&to=${now - 141_000}`];
    for (const q of queries) {
      const [graph, outgoing] = await Promise.all([
        collector.api<{ routeToHost: { route: string; host: string; calls: number }[] }>(`graph?service=window-edges&${q}`),
        collector.api<{ host: string; calls: number }[]>(`outgoing?service=window-edges&${q}`),
      ]);
      const inGraph = graph.routeToHost.filter((e) => e.host === 'edges.example').reduce((n, e) => n + e.calls, 0);
      const inTable = outgoing.find((h) => h.host === 'edges.example')?.calls ?? 0;
      assert.equal(inGraph, inTable, `${q}: graph ${inGraph}, outgoing table ${inTable}`);
    }
    // And the windows hold what they should: 5 or 6 calls in the last minute, all 18 in five.
    const last = (await collector.api<{ host: string; calls: number }[]>('outgoing?service=window-edges&window=1m'))[0].calls;
    assert.ok(last >= 5 && last <= 6, `calls in the last minute: ${last}`);
    assert.equal((await collector.api<{ host: string; calls: number }[]>('outgoing?service=window-edges&window=5m'))[0].calls, 18);
  });

  it('never counts more N+1 requests than requests on a route, when spans and metrics disagree at the window\'s edge', async () => {
    const now = Date.now();
    const attrs = [{ key: 'http.route', value: { stringValue: '/np' } }, { key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.response.status_code', value: { intValue: 200 } }];
    const metrics = encode(MetricsRequest, {
      resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'np-cap' } }] }, scopeMetrics: [{ metrics: [{
        name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [{
          attributes: attrs, startTimeUnixNano: ns(now - 10_000), timeUnixNano: ns(now), count: 1, sum: 0.02, bucketCounts: [0, 1], explicitBounds: [0.005],
        }] },
      }] }] }],
    });
    assert.equal((await post(`${collector.url}/v1/metrics`, metrics, PROTO)).status, 200);
    // Two request spans marked N+1 (one of them is outside the metrics' count).
    const spans: SimpleSpan[] = [0, 1].map((i) => ({ name: 'GET /np', kind: 2, startMs: now - 3000 + i * 1000, durationMs: 20, attributes: [
      ...attrs, { key: 'tracekit.db.n_plus_one.template', value: { stringValue: 'SELECT * FROM t WHERE id = $1' } }] }));
    assert.equal((await post(`${collector.url}/v1/traces`, encode(TraceRequest, traceRequestObject('np-cap', spans)), PROTO)).status, 200);
    const route = (await collector.api<{ route: string; requests: number; nPlusOneRequests: number }[]>('routes?service=np-cap&window=5m')).find((r) => r.route === '/np');
    assert.equal(route?.requests, 1);
    assert.equal(route?.nPlusOneRequests, 1);
  });

  it('accepts logs', async () => {
    const before = (await stored()).logs;
    const res = await post(`${collector.url}/v1/logs`, encode(LogsRequest, {
      resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'logger' } }] }, scopeLogs: [{ logRecords: [
        { timeUnixNano: ns(Date.now()), severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hello' }, traceId: Buffer.from(randomHex(16), 'hex'), spanId: Buffer.from(randomHex(8), 'hex') },
        { observedTimeUnixNano: ns(Date.now()), severityNumber: 17, body: { kvlistValue: { values: [{ key: 'a', value: { intValue: 1 } }] } } },
      ] }] }],
    }), PROTO);
    assert.equal(res.status, 200);
    assert.equal((await stored()).logs, before + 2);
  });
});
