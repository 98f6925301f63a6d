// node:http servers and clients, fetch, propagation between two instrumented services,
// sampling, a disabled agent, and the exporter's protocol options.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { NODES, ROOT, get, startApp, type RunningApp } from './helpers/app';
import { CLIENT, SERVER, assertNested, durationMs } from './helpers/traces';

const receiver = new OtlpReceiver();
let down: RunningApp;
let up: RunningApp;

before(async () => {
  await receiver.start();
  down = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: 'svc-b' } });
  up = await startApp('client-app.mjs', { env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: 'svc-a', DOWNSTREAM_URL: down.url } });
});
after(async () => {
  await up.stop();
  await down.stop();
  await receiver.stop();
});

const ofService = (svc: string) => receiver.spans.filter((s) => s.resource['service.name'] === svc);

describe('a plain http server', () => {
  test('gets one SERVER span per request with semantic-convention attributes and secrets redacted', async () => {
    const res = await get(`${down.url}/slow?password=hunter2&page=2&api_key=abc`, { 'user-agent': 'tk-test/1.0' });
    assert.equal(res.body, 'slow');
    await receiver.waitFor(() => ofService('svc-b').some((s) => s.attributes['url.path'] === '/slow'), 10000, 'the /slow span');
    const span = ofService('svc-b').find((s) => s.attributes['url.path'] === '/slow')!;
    assert.equal(span.kind, SERVER);
    assert.equal(span.name, 'GET', 'no framework, no route: the span is named by method');
    assert.equal(span.attributes['http.route'], undefined);
    assert.equal(span.attributes['url.query'], 'password=REDACTED&page=2&api_key=REDACTED');
    assert.equal(span.attributes['user_agent.original'], 'tk-test/1.0');
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['network.protocol.version'], '1.1');
    assert.ok(durationMs(span) >= 45, `covers the 50 ms the handler waits (${durationMs(span)} ms)`);
    assert.ok(!JSON.stringify(receiver.spans, (_k, v) => (typeof v === 'bigint' ? String(v) : v)).includes('hunter2'), 'the secret is nowhere in what was exported');
  });

  test('requests on one keep-alive connection each get their own Host and User-Agent attributes', async () => {
    const { Agent, request } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = Number(new URL(down.url).port);
    const long = `long/${'L'.repeat(10000)}`;
    const sent: Array<{ n: number; agent: string; host: string }> = [
      { n: 1, agent: 'first/1', host: `127.0.0.1:${port}` },
      { n: 2, agent: 'second/2', host: `127.0.0.1:${port}` },
      { n: 3, agent: long, host: 'example.test:8081' },
      { n: 4, agent: 'first/1', host: `127.0.0.1:${port}` },
    ];
    const reused: boolean[] = [];
    for (const r of sent) {
      await new Promise<void>((resolve, reject) => {
        const req = request({ port, path: `/keepalive?n=${r.n}`, agent, headers: { 'user-agent': r.agent, host: r.host } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
        reused.push(req.reusedSocket);
      });
    }
    agent.destroy();
    assert.deepEqual(reused, [false, true, true, true], 'all four went over one connection');
    const spanOf = (n: number) => ofService('svc-b').find((s) => s.attributes['url.path'] === '/keepalive' && s.attributes['url.query'] === `n=${n}`);
    await receiver.waitFor(() => sent.every((r) => spanOf(r.n) !== undefined), 10000, 'the four keep-alive spans');
    for (const r of sent) {
      const span = spanOf(r.n)!;
      assert.equal(span.attributes['user_agent.original'], r.agent, `request ${r.n}`);
      assert.equal(span.attributes['server.address'], r.host.split(':')[0], `request ${r.n}`);
      assert.equal(span.attributes['server.port'], Number(r.host.split(':')[1]), `request ${r.n}`);
      assert.equal(span.attributes['client.address'], '127.0.0.1');
      assert.equal(span.attributes['url.scheme'], 'http');
    }
  });

  test('continues an incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await get(`${down.url}/continue`, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    await receiver.waitFor(() => receiver.trace(traceId).length > 0, 10000, 'the continued trace');
    const [span] = receiver.trace(traceId);
    assert.equal(span.parentSpanId, '00f067aa0ba902b7');
    assert.equal(span.attributes['url.path'], '/continue');
  });

  test('a request whose client goes away before the answer ends as aborted, and the server keeps serving', async () => {
    const { request } = await import('node:http');
    await new Promise<void>((resolve) => {
      const req = request(`${down.url}/slow?abort=1`);
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 15);
    });
    await receiver.waitFor(() => ofService('svc-b').some((s) => s.attributes['url.query'] === 'abort=1'), 10000, 'the aborted span');
    const span = ofService('svc-b').find((s) => s.attributes['url.query'] === 'abort=1')!;
    assert.equal(span.attributes['error.type'], 'aborted');
    assert.equal(span.attributes['http.response.status_code'], undefined, 'no answer was sent');
    assert.ok(durationMs(span) < 45, `ends when the connection closes, not when the handler answers (${durationMs(span)} ms)`);
    assert.equal((await get(`${down.url}/after-abort`)).body, 'plain');
  });

  test('pipelined requests on one connection each get their span, answered or cut off', async () => {
    const { connect } = await import('node:net');
    const { hostname, port } = new URL(down.url);
    const pipeline = (tag: string) => `GET /slow?pipe=${tag}-1 HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\nGET /slow?pipe=${tag}-2 HTTP/1.1\r\nHost: ${hostname}:${port}\r\n\r\n`;
    // Both answered: read until the second response's body arrived.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(pipeline('ok')));
      let seen = '';
      socket.on('data', (chunk) => {
        seen += chunk;
        if ((seen.match(/\r\n\r\nslow/g) ?? []).length === 2) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', reject);
    });
    // Both cut off while the first handler still waits.
    await new Promise<void>((resolve) => {
      const socket = connect(Number(port), hostname, () => {
        socket.write(pipeline('cut'));
        setTimeout(() => {
          socket.destroy();
          resolve();
        }, 15);
      });
      socket.on('error', () => resolve());
    });
    const piped = () => ofService('svc-b').filter((s) => String(s.attributes['url.query']).startsWith('pipe='));
    await receiver.waitFor(() => piped().length === 4, 10000, 'four pipelined spans');
    const byQuery = new Map(piped().map((s) => [s.attributes['url.query'], s]));
    for (const q of ['pipe=ok-1', 'pipe=ok-2']) {
      assert.equal(byQuery.get(q)?.attributes['http.response.status_code'], 200, q);
      assert.equal(byQuery.get(q)?.attributes['error.type'], undefined, q);
    }
    for (const q of ['pipe=cut-1', 'pipe=cut-2']) {
      assert.equal(byQuery.get(q)?.attributes['error.type'], 'aborted', q);
      assert.equal(byQuery.get(q)?.attributes['http.response.status_code'], undefined, q);
    }
    assert.equal((await get(`${down.url}/after-pipeline`)).body, 'plain');
  });

  test('marks a 5xx answer as an error', async () => {
    await get(`${down.url}/fail`);
    await receiver.waitFor(() => ofService('svc-b').some((s) => s.attributes['url.path'] === '/fail'), 10000, 'the /fail span');
    const span = ofService('svc-b').find((s) => s.attributes['url.path'] === '/fail')!;
    assert.equal(span.status.code, 2);
    assert.equal(span.attributes['error.type'], '503');
  });
});

/**
 * A (`client-app.mjs`, service `svcA`) calls B (`plain-http.cjs`, service `svcB`) at `path`,
 * and the trace that arrives has B's server span under A's client span under A's server span.
 */
async function assertCallTrace(a: RunningApp, b: RunningApp, path: string, how: string, svcA: string, svcB: string): Promise<void> {
  const res = JSON.parse((await get(a.url + path)).body) as { status: number; body: { traceparent: string } };
  assert.equal(res.status, 200);
  assert.match(res.body.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  const traceId = res.body.traceparent.split('-')[1];
  await receiver.waitFor(() => receiver.trace(traceId).length >= 3, 10000, `three spans of the ${how} trace`);
  const spans = receiver.trace(traceId);
  const aServer = spans.find((s) => s.resource['service.name'] === svcA && s.kind === SERVER)!;
  const aClient = spans.find((s) => s.resource['service.name'] === svcA && s.kind === CLIENT)!;
  const bServer = spans.find((s) => s.resource['service.name'] === svcB && s.kind === SERVER)!;
  assert.ok(aServer && aClient && bServer, 'A server, A client and B server spans');
  assertNested(aServer, aClient);
  assert.equal(bServer.parentSpanId, aClient.spanId, "B's parent is A's client span");
  assert.equal(res.body.traceparent.split('-')[2], aClient.spanId, 'the traceparent B saw names the client span');
  assert.equal(aClient.name, 'GET');
  assert.equal(aClient.attributes['http.request.method'], 'GET');
  assert.equal(aClient.attributes['url.full'], `${b.url}/downstream`);
  assert.equal(aClient.attributes['server.address'], '127.0.0.1');
  assert.equal(aClient.attributes['server.port'], b.port);
  assert.equal(aClient.attributes['http.response.status_code'], 200);
  assert.equal(aServer.attributes['tracekit.http.outgoing.count'], 1);
  assert.ok(Number(aServer.attributes['tracekit.http.outgoing.duration_ms']) > 0);
}

const CALLS = [
  ['/call-fetch', 'fetch'],
  ['/call-http', 'http.get'],
] as const;

describe('two instrumented services', () => {
  for (const [path, how] of CALLS) {
    test(`A calls B with ${how}: B's server span is a child of A's client span, in one trace`, () => assertCallTrace(up, down, path, how, 'svc-a', 'svc-b'));
  }

  test('fetch calls to one origin with different methods each carry their own method, and the same address and port', async () => {
    const res = JSON.parse((await get(`${up.url}/call-fetch-methods`)).body) as { statuses: number[] };
    assert.deepEqual(res.statuses, [200, 200]);
    const clientFor = (m: string) => ofService('svc-a').find((s) => s.kind === CLIENT && String(s.attributes['url.full']).endsWith(`/downstream?m=${m}`));
    await receiver.waitFor(() => clientFor('post') !== undefined && clientFor('get') !== undefined, 10000, 'both client spans');
    for (const [m, method] of [['post', 'POST'], ['get', 'GET']] as const) {
      const span = clientFor(m)!;
      assert.equal(span.name, method);
      assert.equal(span.attributes['http.request.method'], method);
      assert.equal(span.attributes['server.address'], '127.0.0.1');
      assert.equal(span.attributes['server.port'], down.port);
      assert.equal(span.attributes['url.full'], `${down.url}/downstream?m=${m}`);
    }
  });

  test('a failed fetch gives an error CLIENT span with the exception', async () => {
    const res = await get(`${up.url}/call-fetch-fail`);
    assert.equal(res.status, 502);
    await receiver.waitFor(() => ofService('svc-a').some((s) => s.kind === CLIENT && String(s.attributes['url.full']).includes('/nothing-listens-here')), 10000, 'the failed client span');
    const span = ofService('svc-a').find((s) => s.kind === CLIENT && String(s.attributes['url.full']).includes('/nothing-listens-here'))!;
    assert.equal(span.status.code, 2);
    assert.equal(span.attributes['error.type'], 'ECONNREFUSED');
    assert.equal(span.events[0]?.name, 'exception');
  });

  test("the exporter's own requests to the receiver are never traced", () => {
    assert.ok(receiver.requests.length > 0);
    const self = receiver.spans.filter((s) => String(s.attributes['url.full'] ?? '').startsWith(receiver.url));
    assert.deepEqual(self, []);
  });

  test('runtime metrics arrive with the request metrics', async () => {
    const names = ['process.cpu.utilization', 'process.memory.usage', 'v8js.memory.heap.used', 'nodejs.eventloop.delay.p99', 'nodejs.eventloop.utilization', 'http.server.active_requests'];
    const of = (n: string) => receiver.metrics.find((m) => m.name === n && m.resource['service.name'] === 'svc-a');
    // The app exports every 10 s by default; stopping it flushes the last interval. A second app
    // with a short interval shows the periodic path.
    const app = await startApp('client-app.mjs', { env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: 'svc-a', TRACEKIT_METRICS_INTERVAL: '200' } });
    await get(`${app.url}/x`);
    await receiver.waitFor(() => names.every((n) => of(n) !== undefined), 10000, 'runtime metrics');
    await app.stop();
    const rss = of('process.memory.usage')!;
    assert.equal(rss.unit, 'By');
    assert.ok(rss.points[0].value! > 10e6 && rss.points[0].value! < 2e9, `plausible RSS ${rss.points[0].value}`);
    const cpu = of('process.cpu.utilization')!.points[0].value!;
    assert.ok(cpu >= 0 && cpu <= 1);
    assert.equal(of('http.server.active_requests')!.kind, 'sum');
  });

  test('tracekit.stats() counts what was exported', async () => {
    const stats = JSON.parse((await get(`${up.url}/stats`)).body) as Record<string, number>;
    assert.ok(stats.spansExported > 0, JSON.stringify(stats));
    assert.equal(stats.spansDropped, 0);
  });
});

// Each Node line bundles its own undici (fetch's diagnostics channels) and http internals.
for (const node of NODES.slice(1)) {
  describe(`two instrumented services on ${node.name}`, () => {
    let b: RunningApp;
    let a: RunningApp;
    before(async () => {
      b = await startApp('plain-http.cjs', { node: node.bin, env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: `svc-b-${node.name}` } });
      a = await startApp('client-app.mjs', { node: node.bin, env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: `svc-a-${node.name}`, DOWNSTREAM_URL: b.url } });
    });
    after(async () => {
      await a.stop();
      await b.stop();
    });
    for (const [path, how] of CALLS) {
      test(`A calls B with ${how}: one trace, B under A's client span`, () => assertCallTrace(a, b, path, how, `svc-a-${node.name}`, `svc-b-${node.name}`));
    }
  });
}

describe('sampling', () => {
  test('rate 0 exports no spans, still counts every request in the metrics, and propagates "not sampled"', async () => {
    const r = await new OtlpReceiver().start();
    const app = await startApp('client-app.mjs', {
      env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SAMPLE_RATE: '0', TRACEKIT_METRICS_INTERVAL: '200', DOWNSTREAM_URL: down.url },
    });
    try {
      const res = JSON.parse((await get(`${app.url}/call-fetch`)).body) as { body: { traceparent: string } };
      assert.match(res.body.traceparent, /-00$/, 'downstream is told the trace is not sampled');
      for (let i = 0; i < 9; i++) await get(`${app.url}/plain`);
      await r.waitFor((x) => x.requestCount() >= 10, 10000, 'ten requests counted in metrics');
      assert.equal(r.requestCount(), 10);
      assert.equal(r.spans.length, 0);
    } finally {
      await app.stop();
      await r.stop();
    }
  });

  test('rate 0 still follows a sampled incoming parent (parent-based)', async () => {
    const r = await new OtlpReceiver().start();
    const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SAMPLE_RATE: '0' } });
    try {
      await get(`${app.url}/x`, { traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });
      await get(`${app.url}/y`, { traceparent: '00-33333333333333333333333333333333-4444444444444444-00' });
      await r.waitFor((x) => x.spans.length >= 1, 10000, 'the parent-sampled span');
      await new Promise((res) => setTimeout(res, 300));
      assert.deepEqual(r.spans.map((s) => s.traceId), ['11111111111111111111111111111111']);
    } finally {
      await app.stop();
      await r.stop();
    }
  });

  test('rate 1 exports a span for every request', async () => {
    const r = await new OtlpReceiver().start();
    const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, TRACEKIT_SAMPLE_RATE: '1' } });
    try {
      for (let i = 0; i < 20; i++) await get(`${app.url}/n${i}`);
      await r.waitFor((x) => x.spans.length >= 20, 10000, 'twenty spans');
      assert.equal(new Set(r.spans.map((s) => s.attributes['url.path'])).size, 20);
    } finally {
      await app.stop();
      await r.stop();
    }
  });
});

describe('TRACEKIT_ENABLED=false', () => {
  test('means no hooks, no worker thread and no sockets', async () => {
    const r = await new OtlpReceiver().start();
    const baseline = await startApp('client-app.mjs', { preload: 'none', env: { DOWNSTREAM_URL: down.url } });
    const off = await startApp('client-app.mjs', { env: { TRACEKIT_ENABLED: 'false', TRACEKIT_ENDPOINT: r.url, DOWNSTREAM_URL: down.url } });
    try {
      for (let i = 0; i < 5; i++) assert.equal((await get(`${off.url}/call-fetch`)).status, 200);
      const a = JSON.parse((await get(`${baseline.url}/introspect`)).body);
      const b = JSON.parse((await get(`${off.url}/introspect`)).body);
      assert.equal(b.serverEmitPatched, false, 'http.Server is untouched');
      assert.equal(b.threads, a.threads, 'no extra thread');
      assert.equal(JSON.parse((await get(`${off.url}/stats`)).body), null, 'no agent running');
      await off.stop();
      await new Promise((res) => setTimeout(res, 300));
      assert.equal(r.requests.length, 0, 'nothing was sent');
      assert.equal(off.stderr(), '');
    } finally {
      await baseline.stop();
      await off.stop();
      await r.stop();
    }
  });
});

describe('exporter options', () => {
  test('http/json with the API key and OTEL_EXPORTER_OTLP_HEADERS, gzipped', async () => {
    const r = await new OtlpReceiver().start();
    const app = await startApp('plain-http.cjs', {
      env: {
        TRACEKIT_ENDPOINT: r.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
        TRACEKIT_API_KEY: 'key-123',
        OTEL_EXPORTER_OTLP_HEADERS: 'x-team=core,x-env=ci%20test',
      },
    });
    try {
      await get(`${app.url}/json`);
      await r.waitFor((x) => x.spans.length >= 1, 10000, 'a span over JSON');
      const req = r.requests.find((q) => q.path === '/v1/traces')!;
      assert.equal(req.contentType, 'application/json');
      assert.equal(req.headers['content-encoding'], 'gzip');
      assert.equal(req.headers['x-api-key'], 'key-123');
      assert.equal(req.headers['x-team'], 'core');
      assert.equal(req.headers['x-env'], 'ci test');
      assert.equal(r.spans[0].attributes['url.path'], '/json');
      // Method and status reach the server span in a shared block; the JSON encoder must write it too.
      assert.equal(r.spans[0].attributes['http.request.method'], 'GET');
      assert.equal(r.spans[0].attributes['http.response.status_code'], 200);
    } finally {
      await app.stop();
      await r.stop();
    }
  });

  test('an https receiver gets the spans and metrics over TLS', async () => {
    // A self-signed certificate for 127.0.0.1, trusted by the app through NODE_EXTRA_CA_CERTS.
    const dir = mkdtempSync(join(tmpdir(), 'tracekit-tls-'));
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    const r = await new OtlpReceiver({ key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') }).start();
    assert.match(r.url, /^https:/);
    const app = await startApp('plain-http.cjs', { env: { TRACEKIT_ENDPOINT: r.url, NODE_EXTRA_CA_CERTS: certFile, TRACEKIT_METRICS_INTERVAL: '200' } });
    try {
      await get(`${app.url}/tls`);
      await r.waitFor((x) => x.spans.some((s) => s.attributes['url.path'] === '/tls') && x.requestCount() > 0, 10000, 'the /tls span and request metrics over https');
      const span = r.spans.find((s) => s.attributes['url.path'] === '/tls')!;
      assert.equal(span.kind, SERVER);
      assert.equal(span.attributes['http.response.status_code'], 200);
    } finally {
      await app.stop();
      await r.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the exporter worker loads no TLS or crypto module for an http receiver', () => {
    // What the worker thread loads at start (docs/agent.md, "The exporter worker"): TLS made the
    // thread about 4 MB larger on Node 24 when the app itself had not loaded it.
    const dir = mkdtempSync(join(tmpdir(), 'tracekit-worker-modules-'));
    const script = join(dir, 'load.cjs');
    writeFileSync(script, `require(${JSON.stringify(join(ROOT, 'dist', 'exporter', 'worker.js'))}); console.log(JSON.stringify(process.moduleLoadList.filter((m) => /^NativeModule (tls|https|crypto)$/.test(m))));`);
    try {
      assert.deepEqual(JSON.parse(execFileSync(process.execPath, [script], { encoding: 'utf8' })), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('protobuf is the default, uncompressed to a loopback receiver', async () => {
    await get(`${down.url}/proto-default`);
    await receiver.waitFor((x) => x.spans.some((s) => s.attributes['url.path'] === '/proto-default'), 10000, 'the /proto-default span');
    const req = receiver.requests.find((q) => q.path === '/v1/traces')!;
    assert.equal(req.contentType, 'application/x-protobuf');
    assert.equal(req.headers['content-encoding'], undefined);
    assert.equal(req.headers['user-agent'], 'tracekit-node');
  });
});
