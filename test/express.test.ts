// Express 4 and 5, lowest and newest of each supported range, as ESM and CommonJS apps, run
// under the real preload in a child process; on Node 24 too for the newest of each major.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { OtlpReceiver } from './helpers/otlp-receiver';
import { NODES, ROOT, get, startApp, type RunningApp } from './helpers/app';
import { INTERNAL, SERVER, assertNested, childrenOf, durationMs, onlyServerSpan } from './helpers/traces';

const VERSIONS = ['4.6.0', '4.22.3', '5.0.0', '5.3.0'];
const expressDir = (v: string): string => join(ROOT, 'test', 'versions', `express-${v}`, 'node_modules', 'express');

interface Case {
  version: string;
  entry: 'express-app.mjs' | 'express-app.cjs';
  node: { name: string; bin: string };
}
const cases: Case[] = [];
for (const version of VERSIONS) for (const entry of ['express-app.mjs', 'express-app.cjs'] as const) cases.push({ version, entry, node: NODES[0] });
for (const node of NODES.slice(1)) for (const version of ['4.22.3', '5.3.0']) for (const entry of ['express-app.mjs', 'express-app.cjs'] as const) cases.push({ version, entry, node });

const receiver = new OtlpReceiver();
before(async () => {
  await receiver.start();
});
after(async () => {
  await receiver.stop();
});

for (const c of cases) {
  const service = `express-${c.version}-${c.entry.endsWith('.mjs') ? 'esm' : 'cjs'}-${c.node.name}`;
  describe(service, () => {
    let app: RunningApp;
    before(async () => {
      app = await startApp(c.entry, {
        node: c.node.bin,
        env: { TRACEKIT_ENDPOINT: receiver.url, TRACEKIT_SERVICE_NAME: service, EXPRESS_DIR: expressDir(c.version), TRACEKIT_METRICS_INTERVAL: '500' },
      });
      for (const path of ['/hello', '/users/42', '/api/items/7', '/v2/items/8', '/error', '/next-error', '/status/404']) await get(app.url + path);
      await receiver.waitFor(
        (r) => r.spans.filter((s) => s.resource['service.name'] === service && s.kind === SERVER).length >= 7,
        15000,
        `seven server spans from ${service}`,
      );
    });
    after(async () => {
      await app.stop();
    });

    test('names the server span by route and nests handler and user spans under it', () => {
      const server = onlyServerSpan(receiver, service, 'GET /users/:id');
      assert.equal(server.attributes['http.route'], '/users/:id');
      assert.equal(server.attributes['http.request.method'], 'GET');
      assert.equal(server.attributes['url.path'], '/users/42');
      assert.equal(server.attributes['url.scheme'], 'http');
      assert.equal(server.attributes['http.response.status_code'], 200);
      assert.equal(server.attributes['server.address'], '127.0.0.1');
      assert.equal(server.attributes['server.port'], app.port);
      assert.equal(server.attributes['client.address'], '127.0.0.1');
      assert.equal(typeof server.attributes['user_agent.original'], 'string');
      assert.equal(server.parentSpanId, '');
      assert.equal(server.status.code, 0);
      const handlers = childrenOf(receiver, server);
      assert.equal(handlers.length, 1, 'one handler span, no duplicates');
      assert.equal(handlers[0].name, 'handler getUser');
      assert.equal(handlers[0].kind, INTERNAL);
      assert.equal(handlers[0].attributes['code.function.name'], 'getUser');
      assert.equal(handlers[0].attributes['express.type'], 'request_handler');
      assert.equal(handlers[0].attributes['http.route'], '/users/:id');
      assertNested(server, handlers[0]);
      const user = childrenOf(receiver, handlers[0]);
      assert.equal(user.length, 1);
      assert.equal(user[0].name, 'load-user');
      assert.equal(user[0].attributes['user.id'], '42');
      assert.equal(user[0].scope, 'fixture-app');
      assertNested(handlers[0], user[0]);
      assert.ok(durationMs(user[0]) >= 4, `the user span covers its 5 ms timer (${durationMs(user[0])} ms)`);
      assert.ok(durationMs(server) < 5000);
      assert.equal(server.resource['service.name'], service);
      assert.equal(server.resource['telemetry.sdk.name'], 'tracekit');
    });

    test('includes the mount path of a nested router in the route', () => {
      const server = onlyServerSpan(receiver, service, 'GET /api/items/:itemId');
      assert.equal(server.attributes['http.route'], '/api/items/:itemId');
      assert.equal(childrenOf(receiver, server)[0]?.name, 'handler getItem');
    });

    test('a router mounted at two paths gives each handler span its own route, whichever came last', async () => {
      const v2 = onlyServerSpan(receiver, service, 'GET /v2/items/:itemId');
      const [v2Handler] = childrenOf(receiver, v2);
      assert.equal(v2Handler.name, 'handler getItem');
      assert.equal(v2Handler.attributes['http.route'], '/v2/items/:itemId');
      // Back to the first mount path after the second: the handler's attributes follow.
      await get(app.url + '/api/items/11');
      const apiSpans = () => receiver.spans.filter((s) => s.resource['service.name'] === service && s.name === 'GET /api/items/:itemId');
      await receiver.waitFor(() => apiSpans().length >= 2, 15000, 'a second /api server span');
      for (const server of apiSpans()) {
        const [handler] = childrenOf(receiver, server);
        assert.equal(handler.attributes['http.route'], '/api/items/:itemId');
        assert.equal(handler.attributes['code.function.name'], 'getItem');
      }
    });

    test('records a thrown error once, on the handler, and marks the 500 server span', () => {
      const server = onlyServerSpan(receiver, service, 'GET /error');
      assert.equal(server.attributes['http.response.status_code'], 500);
      assert.equal(server.status.code, 2);
      assert.equal(server.attributes['error.type'], '500');
      const [handler] = childrenOf(receiver, server);
      assert.equal(handler.name, 'handler failing');
      assert.equal(handler.status.code, 2);
      const events = receiver.trace(server.traceId).flatMap((s) => s.events.filter((e) => e.name === 'exception'));
      assert.equal(events.length, 1, 'recorded exactly once');
      assert.equal(events[0].attributes['exception.type'], 'Error');
      assert.equal(events[0].attributes['exception.message'], 'boom in handler');
      assert.match(String(events[0].attributes['exception.stacktrace']), /failing/);
      assert.deepEqual(handler.events[0], events[0]);
    });

    test('records an error passed to next(err) with its type', () => {
      const server = onlyServerSpan(receiver, service, 'GET /next-error');
      const [handler] = childrenOf(receiver, server);
      assert.equal(handler.events[0]?.attributes['exception.type'], 'TypeError');
      assert.equal(handler.attributes['error.type'], 'TypeError');
      assert.equal(server.status.code, 2);
    });

    test('a 404 answer is not an error on a server span', () => {
      const server = onlyServerSpan(receiver, service, 'GET /status/:code');
      assert.equal(server.attributes['http.response.status_code'], 404);
      assert.equal(server.status.code, 0);
    });

    test('counts every request in the duration histogram by method, route and status', async () => {
      const mineNow = () => receiver.metrics.filter((m) => m.resource['service.name'] === service && m.name === 'http.server.request.duration');
      await receiver.waitFor(() => mineNow().flatMap((m) => m.points).some((p) => p.attributes['http.route'] === '/error'), 10000, 'request metrics');
      const mine = mineNow();
      const point = mine.flatMap((m) => m.points).find((p) => p.attributes['http.route'] === '/error');
      assert.ok(point, 'a series for /error');
      assert.equal(point.attributes['http.response.status_code'], 500);
      assert.equal(point.attributes['error.type'], '500');
      assert.equal(point.count, 1);
      assert.equal(point.bucketCounts?.reduce((a, b) => a + b, 0), 1);
      assert.equal(mine[0].unit, 's');
    });
  });
}
