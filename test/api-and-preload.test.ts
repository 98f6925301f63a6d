// The public API (init, manual spans, currentHeaders, stats) and the ways of loading the
// agent: --import, --require, NODE_OPTIONS, twice, from code, after a library.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { NODES, get, startApp } from './helpers/app';
import { SERVER, assertNested } from './helpers/traces';

const receiver = new OtlpReceiver();
before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

describe('manual API', () => {
  test('startSpan/endSpan nest under the request span; init() after the preload applies its options', async () => {
    const app = await startApp('manual-api.cjs', { env: { TRACEKIT_ENDPOINT: receiver.url, INIT_SERVICE_NAME: 'manual-a' } });
    try {
      await get(`${app.url}/order`);
      await get(`${app.url}/order-fail`);
      const headers = JSON.parse((await get(`${app.url}/headers`)).body) as Record<string, string>;
      assert.match(headers.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      await receiver.waitFor((r) => r.spans.filter((s) => s.resource['service.name'] === 'manual-a').length >= 6, 10000, 'manual spans');
      const mine = receiver.spans.filter((s) => s.resource['service.name'] === 'manual-a');
      const ok = mine.find((s) => s.name === 'process-order' && s.attributes['order.id'] === 7)!;
      const server = mine.find((s) => s.spanId === ok.parentSpanId)!;
      assert.equal(server.kind, SERVER);
      assertNested(server, ok);
      assert.equal(ok.attributes['order.status'], 'paid');
      const validate = mine.find((s) => s.name === 'validate')!;
      assert.equal(validate.parentSpanId, server.spanId, 'an OTel API span started while the request is active nests under it');
      const failed = mine.find((s) => s.name === 'process-order' && s.attributes['order.id'] === 8)!;
      assert.equal(failed.status.code, 2);
      assert.equal(failed.events[0].attributes['exception.message'], 'card declined');
      const headerSpan = mine.find((s) => s.attributes['url.path'] === '/headers')!;
      assert.equal(headers.traceparent.split('-')[1], headerSpan.traceId, 'currentHeaders() carries the active trace');
    } finally {
      await app.stop();
    }
  });

  test('init() with no preload starts the agent, and express loaded afterwards is traced', async () => {
    const app = await startApp('init-app.cjs', { preload: 'none', env: { TRACEKIT_ENDPOINT: receiver.url } });
    try {
      await get(`${app.url}/users/1`);
      await receiver.waitFor((r) => r.spans.some((s) => s.resource['service.name'] === 'init-svc' && s.name === 'GET /users/:id'), 10000, 'init-svc spans');
      assert.equal(app.stderr(), '');
    } finally {
      await app.stop();
    }
  });

  test('a library loaded before the agent gets one warning naming it', async () => {
    const app = await startApp('init-app.cjs', { preload: 'none', env: { TRACEKIT_ENDPOINT: receiver.url, EARLY_EXPRESS: '1' } });
    await app.stop();
    const lines = app.stderr().split('\n').filter((l) => l.startsWith('[tracekit]'));
    assert.equal(lines.length, 1, app.stderr());
    assert.match(lines[0], /express was loaded before tracekit started/);
  });
});

// The ways of loading differ between Node lines (module.register, require(esm) from 22.12,
// the module loader's threads), so each runs on every Node the suite has.
for (const node of NODES) describe(`loading the agent on ${node.name}`, () => {
  const svc = (name: string) => `${name}-${node.name}`;
  const serverSpans = (name: string) => receiver.spans.filter((s) => s.resource['service.name'] === name && s.kind === SERVER);

  test('--require instruments a CommonJS app, silently', async () => {
    const app = await startApp('express-app.cjs', { node: node.bin, preload: 'require', env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('req-cjs') } });
    await get(`${app.url}/users/3`);
    await receiver.waitFor(() => serverSpans(svc('req-cjs')).length >= 1, 10000, 'req-cjs spans');
    await app.stop();
    assert.equal(serverSpans(svc('req-cjs'))[0].name, 'GET /users/:id');
    assert.equal(app.stderr(), '');
  });

  test('--require with an ESM entry warns once that ES module imports are not hooked', async () => {
    const app = await startApp('express-app.mjs', { node: node.bin, preload: 'require', env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('req-esm') } });
    await get(`${app.url}/hello`);
    await app.stop();
    const lines = app.stderr().split('\n').filter((l) => l.startsWith('[tracekit]'));
    assert.equal(lines.length, 1);
    assert.match(lines[0], /--require.*--import tracekit-node\/register/);
  });

  test('NODE_OPTIONS="--import tracekit-node/register" works, and loading twice starts one agent', async () => {
    const app = await startApp('express-app.mjs', {
      node: node.bin,
      preload: 'require',
      env: { NODE_OPTIONS: '--import tracekit-node/register', TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('twice'), TRACEKIT_LOG_LEVEL: 'debug' },
    });
    await get(`${app.url}/hello`);
    await receiver.waitFor(() => serverSpans(svc('twice')).length >= 1, 10000, 'spans of the twice-loaded app');
    await new Promise((res) => setTimeout(res, 300));
    await app.stop();
    assert.equal(app.stderr().split('\n').filter((l) => l.includes('debug: started')).length, 1, 'started once');
    assert.equal(serverSpans(svc('twice')).length, 1, 'one span per request, not two');
    assert.equal(receiver.spans.filter((s) => s.resource['service.name'] === svc('twice') && s.name === 'handler hello').length, 1);
  });

  test('starts on the main thread only: a worker thread inheriting the preload gets no agent', async () => {
    const app = await startApp('worker-app.cjs', { node: node.bin, env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_LOG_LEVEL: 'debug' } });
    await app.stop();
    assert.equal(app.stderr().split('\n').filter((l) => l.includes('debug: started')).length, 1);
  });

  test('a bad variable gets one warning naming it, and its default is used', async () => {
    const app = await startApp('plain-http.cjs', {
      node: node.bin,
      env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('bad-env'), TRACEKIT_SAMPLE_RATE: '2' },
    });
    await get(`${app.url}/x`);
    await receiver.waitFor(() => serverSpans(svc('bad-env')).length >= 1, 10000, 'spans at the default rate 1');
    await app.stop();
    assert.equal(app.stderr(), '[tracekit] warn: TRACEKIT_SAMPLE_RATE="2" is not a number between 0 and 1; using 1\n');
  });

  test('says one line at info level when it starts (service, endpoint, sampling, code monitoring), and nothing at the default level', async () => {
    const info = await startApp('plain-http.cjs', {
      node: node.bin,
      env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('info-line'), TRACEKIT_LOG_LEVEL: 'info', TRACEKIT_SAMPLE_RATE: '0.25' },
    });
    await info.stop();
    assert.match(info.stderr(), new RegExp(`^\\[tracekit\\] info: started \\(version \\d+\\.\\d+\\.\\d+\\): service ${svc('info-line')}, exporting to ${receiver.url}/v1/traces \\(http/protobuf\\), sampling 25% \\(parent-based\\), code monitoring off\n$`));
    const quiet = await startApp('plain-http.cjs', { node: node.bin, env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('quiet') } });
    await quiet.stop();
    assert.equal(quiet.stderr(), '');
  });

  test('if the agent cannot start, one warning and the app runs untouched', async () => {
    const app = await startApp('plain-http.cjs', {
      node: node.bin,
      preload: 'none',
      nodeFlags: ['--require', './fixtures/other-otel-sdk.cjs', '--import', 'tracekit-node/register'],
      env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: svc('no-start') },
    });
    assert.equal((await get(`${app.url}/x`)).body, 'plain');
    await app.stop();
    assert.match(app.stderr(), /^\[tracekit\] warn: could not start \(another OpenTelemetry SDK is already registered in this process\); the app runs without tracekit\n$/);
    assert.equal(serverSpans(svc('no-start')).length, 0);
  });
});
