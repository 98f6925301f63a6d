/**
 * The collector against hostile and careless clients: exact 64-bit integers, one unfit record
 * among innocent ones, tiny requests that nest deep, timestamps far from now, requests too big
 * to queue, malformed API paths, look-alike Host headers and weak API keys. Each case failed
 * before the fix it names; all run against a real `tracekit start`.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind, context } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { runCli, startCollectorProcess, tempDbPath, type CollectorProcess } from './helpers/collector';
import { decode, encode, LogsRequest, LogsResponse, MetricsRequest, MetricsResponse, ns, randomHex, TraceRequest, traceRequestObject } from './helpers/official-otlp';

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_CT = { 'content-type': 'application/json' };

interface Posted { status: number; body: Buffer }
interface Span { spanId: string; name: string; attributes: Record<string, unknown> }
interface Status {
  ingest: { spans: number; truncatedValues: number; failedRequests: number };
  stored: { spans: number; metricPoints: number; logs: number };
}

async function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Posted> {
  const res = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body), headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** GET with a Host header of our choosing (fetch will not send one). */
function getWithHost(url: string, host: string): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    request({ host: u.hostname, port: u.port, path: u.pathname + u.search, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject).end();
  });
}

/** One JSON span request for `service`, with attributes given in OTLP/JSON form. */
function jsonSpans(service: string, spans: { traceId?: string; startNs?: string; endNs?: string; attributes?: unknown[] }[]): string {
  const now = BigInt(Date.now()) * 1_000_000n;
  return JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: spans.map((s) => ({
    traceId: s.traceId ?? randomHex(16), spanId: randomHex(8), name: 'op', kind: 2,
    startTimeUnixNano: s.startNs ?? String(now - 5_000_000n), endTimeUnixNano: s.endNs ?? String(now), attributes: s.attributes ?? [],
  })) }] }] });
}

describe('collector hardening', () => {
  let collector: CollectorProcess;
  const status = (): Promise<Status> => collector.api<Status>('status');

  before(async () => {
    collector = await startCollectorProcess();
  });
  after(async () => {
    await collector.stop();
  });

  it('keeps negative and 64-bit integers exact, from the official OpenTelemetry serializer and from raw protobuf and JSON', async () => {
    // The official OTel JS SDK and its protobuf exporter: negative numbers become 10-byte varints.
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'ints-otel' }),
      spanProcessors: [new SimpleSpanProcessor(new ProtoExporter({ url: `${collector.url}/v1/traces` }))],
    });
    const small = [-1, -5, -4095, -123456, -2147483649, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, 0, 1, 127, 128];
    const span = provider.getTracer('ints').startSpan('ints', { kind: SpanKind.INTERNAL }, context.active());
    small.forEach((v, i) => span.setAttribute(`v${i}`, v));
    span.end();
    await provider.forceFlush();
    await provider.shutdown();
    const fromSdk = (await collector.api<{ spans: Span[] }>(`traces/${span.spanContext().traceId}`)).spans[0];
    small.forEach((v, i) => assert.equal(fromSdk.attributes[`v${i}`], v, `v${i}`));

    // Beyond 2^53 no double is exact: such values are kept as their decimal text.
    const big = ['-9223372036854775808', '9223372036854775807', '-9007199254740993', '9007199254740993', '-9007199254740991', '4611686018427387904'];
    const traceId = randomHex(16);
    const body = encode(TraceRequest, traceRequestObject('ints-proto', [{ traceId, attributes: big.map((v, i) => ({ key: `b${i}`, value: { intValue: v } })) }]));
    assert.equal((await post(`${collector.url}/v1/traces`, body, PROTO)).status, 200);
    const fromProto = (await collector.api<{ spans: Span[] }>(`traces/${traceId}`)).spans[0];
    assert.deepEqual(big.map((_, i) => fromProto.attributes[`b${i}`]), ['-9223372036854775808', '9223372036854775807', '-9007199254740993', '9007199254740993', -9007199254740991, '4611686018427387904']);

    const jsonTrace = randomHex(16);
    const json = jsonSpans('ints-json', [{ traceId: jsonTrace, attributes: [...big, '-1'].map((v, i) => ({ key: `j${i}`, value: { intValue: v } })) }]);
    assert.equal((await post(`${collector.url}/v1/traces`, json, JSON_CT)).status, 200);
    const fromJson = (await collector.api<{ spans: Span[] }>(`traces/${jsonTrace}`)).spans[0];
    assert.deepEqual(fromJson.attributes, { ...Object.fromEntries(big.map((_, i) => [`j${i}`, fromProto.attributes[`b${i}`]])), j6: -1 });
    const outside = jsonSpans('ints-json', [{ attributes: [{ key: 'x', value: { intValue: '9223372036854775808' } }] }]);
    const refused = await post(`${collector.url}/v1/traces`, outside, JSON_CT);
    assert.equal(refused.status, 400);
    assert.match(refused.body.toString(), /outside the int64 range/);
  });

  it('stores an unfit value without failing anyone: innocent requests written beside it all land', async () => {
    const before = (await status()).stored.spans;
    const innocent = Array.from({ length: 6 }, () => randomHex(16));
    const badTrace = randomHex(16);
    const bad = jsonSpans('unfit', [{ traceId: badTrace, attributes: [
      { key: 'tracekit.db.count', value: { intValue: '1000000000000' } },
      { key: 'tracekit.http.outgoing.count', value: { doubleValue: 1e300 } },
      { key: 'http.response.status_code', value: { doubleValue: 404.5 } },
    ] }]);
    // Sent at once, so the group commit writes them together.
    const answers = await Promise.all([
      post(`${collector.url}/v1/traces`, bad, JSON_CT),
      ...innocent.map((t) => post(`${collector.url}/v1/traces`, jsonSpans('innocent', [{ traceId: t }]), JSON_CT)),
    ]);
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200, 200]);
    for (const t of innocent) assert.equal((await collector.api<{ spans: Span[] }>(`traces/${t}`)).spans.length, 1);
    const stored = (await collector.api<{ spans: Span[] }>(`traces/${badTrace}`)).spans[0];
    assert.equal(stored.attributes['tracekit.db.count'], 1e12, 'the value itself is kept in the attributes');
    assert.equal((await status()).stored.spans, before + 7);
  });

  it('rejects, by partial success, records stamped far from now: a 26-digit JSON time, 2^64 ns, year 2100, before 1971', async () => {
    const now = Date.now();
    const far = [
      { startNs: '1' + '0'.repeat(25), endNs: '1' + '0'.repeat(25) },
      { startNs: '18446744073709551000', endNs: '18446744073709551000' },
      { startNs: String(BigInt(Date.UTC(2100, 0, 1)) * 1_000_000n), endNs: String(BigInt(Date.UTC(2100, 0, 1)) * 1_000_000n + 1000n) },
      { startNs: '1000', endNs: '2000' },
      { startNs: String(BigInt(now) * 1_000_000n), endNs: String(BigInt(now + 2 * 3600_000) * 1_000_000n) },
    ];
    const good = randomHex(16);
    const res = await post(`${collector.url}/v1/traces`, jsonSpans('far-future', [...far, { traceId: good }]), JSON_CT);
    assert.equal(res.status, 200);
    const answer = JSON.parse(res.body.toString()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    assert.equal(answer.partialSuccess.rejectedSpans, '5');
    assert.match(answer.partialSuccess.errorMessage, /ahead of the collector's clock/);
    assert.equal((await collector.api<{ spans: Span[] }>(`traces/${good}`)).spans.length, 1);

    // A metric point in the year 2100 with a billion requests, and a log from the same year.
    const year2100 = ns(Date.UTC(2100, 0, 1));
    const metrics = encode(MetricsRequest, { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'far-future-metrics' } }] }, scopeMetrics: [{ metrics: [
      { name: 'http.server.request.duration', unit: 's', histogram: { aggregationTemporality: 1, dataPoints: [
        { startTimeUnixNano: year2100, timeUnixNano: year2100, count: '1000000000', sum: 1, explicitBounds: [1], bucketCounts: ['1000000000', '0'], attributes: [{ key: 'http.route', value: { stringValue: '/future' } }] },
        { startTimeUnixNano: ns(now - 1000), timeUnixNano: ns(now), count: '1', sum: 0.5, explicitBounds: Array.from({ length: 2000 }, (_, i) => i), bucketCounts: Array.from({ length: 2001 }, () => '0') },
      ] } },
    ] }] }] });
    const m = await post(`${collector.url}/v1/metrics`, metrics, PROTO);
    assert.equal(m.status, 200);
    const mAnswer = decode(MetricsResponse, m.body) as { partialSuccess?: { rejectedDataPoints: string; errorMessage: string } };
    assert.equal(mAnswer.partialSuccess?.rejectedDataPoints, '2');
    assert.match(mAnswer.partialSuccess?.errorMessage ?? '', /ahead of the collector's clock/);
    const overview = await collector.api<{ requests: number }>('overview?service=far-future-metrics&window=1m');
    assert.equal(overview.requests, 0, 'the year-2100 point is in no window');
    const logs = encode(LogsRequest, { resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'far-future' } }] }, scopeLogs: [{ logRecords: [
      { timeUnixNano: year2100, body: { stringValue: 'from the future' } },
      { timeUnixNano: ns(now), body: { stringValue: 'from now' } },
    ] }] }] });
    const l = await post(`${collector.url}/v1/logs`, logs, PROTO);
    assert.equal(l.status, 200);
    const lAnswer = decode(LogsResponse, l.body) as { partialSuccess?: { rejectedLogRecords: string } };
    assert.equal(lAnswer.partialSuccess?.rejectedLogRecords, '1');
  });

  it('bounds deep nesting and long values: a 364-byte request stores a small attribute, quickly counted as cut', async () => {
    const cutBefore = (await status()).ingest.truncatedValues;
    // 24 levels of kvlist, as the hostile test sent; each level used to re-escape its child's JSON.
    let value: Record<string, unknown> = { stringValue: '"\\"\\\\' };
    for (let i = 0; i < 24; i++) value = { kvlistValue: { values: [{ key: 'k', value }] } };
    const traceId = randomHex(16);
    const body = encode(TraceRequest, traceRequestObject('nested', [{ traceId, attributes: [{ key: 'deep', value }] }]));
    assert.ok(body.length < 600, `request is ${body.length} bytes`);
    const res = await post(`${collector.url}/v1/traces`, body, PROTO);
    assert.equal(res.status, 200);
    const stored = (await collector.api<{ spans: Span[] }>(`traces/${traceId}`)).spans[0];
    const deep = String(stored.attributes.deep);
    assert.ok(deep.length < 400, `stored attribute is ${deep.length} chars`);
    assert.match(deep, /nested deeper than 8 levels/);
    assert.equal((JSON.parse(deep) as { k: { k: unknown } }).k.k !== undefined, true, 'the kept levels are real JSON objects, not escaped text');

    // A 1.8 KB JSON request of nested arrays.
    let arr: Record<string, unknown> = { stringValue: 'x' };
    for (let i = 0; i < 60; i++) arr = { arrayValue: { values: [arr, { stringValue: '\\"' }] } };
    const jsonTrace = randomHex(16);
    const json = jsonSpans('nested', [{ traceId: jsonTrace, attributes: [{ key: 'arr', value: arr }] }]);
    assert.equal((await post(`${collector.url}/v1/traces`, json, JSON_CT)).status, 200);
    const arrStored = String((await collector.api<{ spans: Span[] }>(`traces/${jsonTrace}`)).spans[0].attributes.arr);
    assert.ok(arrStored.length < 400, `stored array is ${arrStored.length} chars`);

    // One value over 64 KiB is cut with a marker; a span's attributes stop at 512 KiB.
    const longTrace = randomHex(16);
    const many = Array.from({ length: 12 }, (_, i) => ({ key: `big${i}`, value: { stringValue: 'y'.repeat(60 * 1024) } }));
    const long = jsonSpans('nested', [{ traceId: longTrace, attributes: [{ key: 'huge', value: { stringValue: 'z'.repeat(200_000) } }, ...many] }]);
    assert.equal((await post(`${collector.url}/v1/traces`, long, JSON_CT)).status, 200);
    const longStored = (await collector.api<{ spans: Span[] }>(`traces/${longTrace}`)).spans[0].attributes;
    assert.match(String(longStored.huge), /\.\.\.\[truncated 134464 chars\]$/);
    const kept = Object.keys(longStored).filter((k) => k.startsWith('big')).length;
    assert.ok(kept >= 6 && kept < 12, `${kept} of 12 large attributes kept`);
    const cut = (await status()).ingest.truncatedValues - cutBefore;
    assert.ok(cut >= 3 + (12 - kept), `cuts counted: ${cut}`);
  });

  it('refuses with 413 a request holding more rows than --max-queue, and stores one that fits in slices', async () => {
    const small = await startCollectorProcess({ args: ['--max-queue', '5000'] });
    try {
      const spans = (n: number): Buffer => encode(TraceRequest, traceRequestObject('rows', Array.from({ length: n }, () => ({}))));
      const tooBig = await post(`${small.url}/v1/traces`, spans(6000), PROTO);
      assert.equal(tooBig.status, 413);
      assert.match(tooBig.body.toString(), /more than the collector queues at once \(--max-queue 5000\)/);
      const fits = await post(`${small.url}/v1/traces`, spans(4900), PROTO);
      assert.equal(fits.status, 200);
      assert.equal((await small.api<Status>('status')).stored.spans, 4900);
    } finally {
      await small.stop();
    }
  });

  it('answers a malformed trace id or path with 400, never 500', async () => {
    for (const path of ['/api/traces/%ZZ', '/api/traces/%E0%A4%A', '/api/traces/not-hex']) {
      const res = await fetch(`${collector.url}${path}`);
      assert.equal(res.status, 400, path);
      assert.match(((await res.json()) as { error: string }).error, /percent-encoding|32 hex digits/);
    }
    assert.equal((await fetch(`${collector.url}/api/services`)).status, 200, 'still serving');
  });

  it('parses the Host header strictly: look-alikes of loopback names are refused', async () => {
    const port = new URL(collector.url).port;
    for (const host of [`[::1]evil.com`, `[::1]evil.com:${port}`, `127.0.0.1.evil.com:${port}`, `localhost@evil.com`, `127.0.0.1:${port}:1`]) {
      assert.equal(await getWithHost(`${collector.url}/api/services`, host), 421, host);
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'LOCALHOST']) {
      assert.equal(await getWithHost(`${collector.url}/api/services`, host), 200, host);
    }
  });
});

describe('API keys beyond loopback', () => {
  it('refuses a blank, padded or short key on 0.0.0.0, with the reason', async () => {
    for (const [key, reason] of [[' ', /blank API key/], ['   padded-key-0123456789 ', /white space/], ['short-key', /shorter than 16 characters/]] as const) {
      const r = await runCli(['start', '--host', '0.0.0.0', '--port', '0', '--db', tempDbPath(), '--api-key', key]);
      assert.equal(r.code, 2, JSON.stringify(key));
      assert.match(r.stderr, reason);
    }
  });
});

describe('store failures', () => {
  it('retries a failed group write request by request: only the request with the unfit row fails', async () => {
    const { DuckDbStore } = await import('../dist/collector/store/duckdb/duckdb-store.js');
    const { WriteQueue, isDataError } = await import('../dist/collector/ingest/write-queue.js');
    const store = await DuckDbStore.open(tempDbPath(), { memoryLimit: '256MB' });
    const warnings: string[] = [];
    try {
      const queue = new WriteQueue(store, { maxPendingRows: 10_000, maxRowsPerWrite: 20_000 }, (l) => warnings.push(l));
      const row = (spanId: string, kind: number) => ({
        service: 's', instance: '', traceId: randomHex(16), spanId, parentId: null, name: 'n', kind, startUs: Date.now() * 1000, durationUs: 1,
        status: 0, statusMessage: null, route: null, method: null, httpStatus: null, peer: null, dbSystem: null, dbCount: null, dbMs: null,
        outCount: null, nPlusOne: null, isEntry: true, requestRoute: null, scope: '', attributes: '{}', events: null, links: null, dbStatement: null, dbRows: null,
      });
      const batch = (kind: number) => ({ spans: [row(randomHex(8), kind)], errors: [], frames: [], metrics: [], buckets: [], edges: [], logs: [], routes: [], snapshots: [], resources: [] });
      // Submitted together, so the first write carries all three; kind 300 does not fit UTINYINT.
      const submitted = [queue.submit(batch(2)), queue.submit(batch(300)), queue.submit(batch(3))];
      const results = await Promise.allSettled(submitted.map((s) => (s.status === 'queued' ? s.done : Promise.reject(new Error(s.status)))));
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      assert.ok(isDataError((results[1] as PromiseRejectedResult).reason), String((results[1] as PromiseRejectedResult).reason));
      assert.equal((await store.counts()).spans, 2);
      assert.equal(queue.failedWrites, 1);
      assert.match(queue.lastFailure?.reason ?? '', /cannot take: number out of uint8 range/);
      assert.equal(warnings.length, 1, 'said once, on stderr');
      assert.match(warnings[0], /refused with 400/);
    } finally {
      await store.close();
    }
  });

  it('a retention sweep running when the store closes deletes from no table after the one it was in', async () => {
    const { DuckDbStore } = await import('../dist/collector/store/duckdb/duckdb-store.js');
    const path = tempDbPath();
    const oldUs = (Date.now() - 30 * 86_400_000) * 1000;
    const span = (i: number) => ({
      service: 's', instance: '', traceId: randomHex(16), spanId: randomHex(8), parentId: null, name: `n${i}`, kind: 2, startUs: oldUs, durationUs: 1,
      status: 0, statusMessage: null, route: null, method: null, httpStatus: null, peer: null, dbSystem: null, dbCount: null, dbMs: null,
      outCount: null, nPlusOne: null, isEntry: true, requestRoute: null, scope: '', attributes: '{}', events: null, links: null, dbStatement: null, dbRows: null,
    });
    const error = (i: number) => ({ fingerprint: `f${i}`, service: 's', timeUs: oldUs, traceId: randomHex(16), spanId: randomHex(8), spanName: 'n', route: null, type: 'Error', message: 'm', stack: 'Error: m' });
    const store = await DuckDbStore.open(path, { memoryLimit: '256MB' });
    await store.write({ spans: Array.from({ length: 200 }, (_, i) => span(i)), errors: Array.from({ length: 5 }, (_, i) => error(i)), frames: [], metrics: [], buckets: [], edges: [], logs: [], routes: [], snapshots: [], resources: [] });
    const before = await store.counts();
    assert.deepEqual([before.spans, before.errors], [200, 5]);
    // Closed while the sweep's first delete (spans) is running: spans may or may not go, but the
    // sweep must not go on to the errors table (before the fix it did, after close had begun).
    const sweeping = store.sweep(Date.now() * 1000).then(
      (removed) => ({ removed }),
      (err: unknown) => ({ err }),
    );
    await store.close();
    const swept = await sweeping;
    if ('err' in swept) assert.match(String(swept.err), /Interrupt/, 'a sweep that fails fails by the interrupt');
    else assert.ok(swept.removed === 0 || swept.removed === 200, `removed ${swept.removed}`);
    const reopened = await DuckDbStore.open(path, { memoryLimit: '256MB' });
    try {
      const counts = await reopened.counts();
      assert.equal(counts.errors, 5, 'the table after the interrupted one waits for the next start');
      assert.ok(counts.spans === 0 || counts.spans === 200, `spans: ${counts.spans}`);
      assert.equal(await reopened.sweep(Date.now() * 1000), counts.spans + counts.errors, 'the next sweep removes the rest');
    } finally {
      await reopened.close();
    }
  });
});
