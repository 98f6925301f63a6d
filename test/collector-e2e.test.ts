/**
 * End to end: the shop fixture (Express, PostgreSQL, MySQL, an N+1 route, an outgoing call
 * to a second instrumented service, a failing route) runs under the agent and sends to a
 * real `tracekit start`; the query API's numbers must match the traffic the test made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { get, startApp, type RunningApp } from './helpers/app';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';

interface Overview { source: string; requests: number; errors: number; errorRate: number; p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number; memoryBytes: number | null; cpuUtilization: number | null; inFlight: number | null }
interface Route { service: string; method: string; route: string; requests: number; errors: number; errorPct: number; dbQueriesPerRequest: number | null; outgoingPerRequest: number | null; nPlusOneRequests: number; nPlusOneTemplate: string | null; p50Ms: number; maxMs: number }
interface ErrorGroup { type: string; message: string; count: number; routes: string[]; stack: string; traceId: string; spanId: string; firstSeenMs: number; lastSeenMs: number }
interface TraceSummary { traceId: string; spanId: string; service: string; route: string; httpStatus: number; error: boolean; durationMs: number }
interface Span { spanId: string; parentId: string | null; service: string; name: string; kind: number; attributes: Record<string, unknown>; events: { name: string; attributes: Record<string, unknown> }[] }

/** The traffic the test makes: path → times, and the route and status each one gets. */
const TRAFFIC: { path: string; times: number; route: string; status: number }[] = [
  { path: '/', times: 5, route: '/', status: 200 },
  { path: '/products', times: 4, route: '/products', status: 200 },
  { path: '/products/featured', times: 3, route: '/products/featured', status: 200 },
  { path: '/orders/1', times: 2, route: '/orders/:id', status: 200 },
  { path: '/orders/999', times: 1, route: '/orders/:id', status: 404 },
  { path: '/checkout/3', times: 3, route: '/checkout/:productId', status: 200 },
  { path: '/checkout/5', times: 1, route: '/checkout/:productId', status: 409 },
  { path: '/payments/charge', times: 2, route: '/payments/charge', status: 500 },
];
const TOTAL = TRAFFIC.reduce((n, t) => n + t.times, 0);
const PRELOAD_ENV = { NODE_OPTIONS: '--import tracekit-node/register', TRACEKIT_LOG_LEVEL: 'debug' };

describe('collector end to end with the shop fixture', () => {
  let collector: CollectorProcess;
  let inventory: RunningApp;
  let shop: RunningApp;
  let inventoryHost: string;

  before(async () => {
    // The preload in NODE_OPTIONS reaches the collector too; it must stay uninstrumented.
    collector = await startCollectorProcess({ env: PRELOAD_ENV });
    const agentEnv = { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_METRICS_INTERVAL: '500' };
    inventory = await startApp('shop/inventory.cjs', { preload: 'none', env: { ...PRELOAD_ENV, ...agentEnv, TRACEKIT_SERVICE_NAME: 'inventory' } });
    inventoryHost = `127.0.0.1:${inventory.port}`;
    shop = await startApp('shop/app.cjs', { env: { ...agentEnv, TRACEKIT_SERVICE_NAME: 'shop', INVENTORY_URL: inventory.url } });
    for (const t of TRAFFIC) {
      for (let i = 0; i < t.times; i++) {
        const res = await get(shop.url + t.path);
        assert.equal(res.status, t.status, `${t.path}: ${res.body}`);
      }
    }
    // SIGTERM flushes the last spans and metrics.
    await shop.stop();
    await inventory.stop();
    await eventually(async () => {
      const o = await collector.api<Overview>('overview?service=shop&window=5m');
      return o.requests === TOTAL ? o : undefined;
    }, `${TOTAL} shop requests in the overview`);
  });

  after(async () => {
    await shop?.stop();
    await inventory?.stop();
    await collector?.stop();
  });

  it('keeps the collector itself uninstrumented while NODE_OPTIONS instruments an app', () => {
    assert.match(inventory.stderr(), /\[tracekit\] debug: started/, 'control: the same env starts the agent in an app');
    assert.doesNotMatch(collector.stderr(), /\[tracekit\]/);
  });

  it('lists both services', async () => {
    const services = await collector.api<{ service: string; spans: number }[]>('services?window=5m');
    assert.deepEqual(services.map((s) => s.service).sort(), ['inventory', 'shop']);
  });

  it('overview tiles count every request and error, from the request metrics', async () => {
    const o = await collector.api<Overview>('overview?service=shop&window=5m');
    assert.equal(o.source, 'metrics');
    assert.equal(o.requests, TOTAL);
    assert.equal(o.errors, 2);
    assert.ok(Math.abs(o.errorRate - 2 / TOTAL) < 1e-9);
    assert.ok(o.p50Ms > 0 && o.p50Ms <= o.p95Ms && o.p95Ms <= o.p99Ms && o.p99Ms <= o.maxMs, JSON.stringify(o));
    assert.ok(o.memoryBytes !== null && o.memoryBytes > 10e6, 'memory from the runtime metrics');
    assert.ok(o.cpuUtilization !== null && o.cpuUtilization >= 0);
    assert.equal(o.inFlight, 0);
  });

  it('chart series add up to the same requests and errors, one point per step', async () => {
    const series = await collector.api<{ source: string; stepMs: number; points: { timeMs: number; requestRate: number; errorRate: number; p95Ms: number | null }[] }>('series?service=shop&window=5m');
    assert.equal(series.source, 'metrics');
    assert.equal(series.points.length, 30, '5 minutes in 10 s steps');
    assert.equal(series.stepMs, 10_000);
    const requests = series.points.reduce((n, p) => n + p.requestRate * (series.stepMs / 1000), 0);
    const errors = series.points.reduce((n, p) => n + p.requestRate * (series.stepMs / 1000) * p.errorRate, 0);
    assert.ok(Math.abs(requests - TOTAL) < 1e-6, `requests ${requests}`);
    assert.ok(Math.abs(errors - 2) < 1e-6, `errors ${errors}`);
    assert.ok(series.points.some((p) => p.p95Ms !== null && p.p95Ms > 0));
    for (let i = 1; i < series.points.length; i++) assert.equal(series.points[i].timeMs - series.points[i - 1].timeMs, 10_000);
  });

  it('routes table: counts, errors, DB work, outgoing calls and the N+1 flag per route', async () => {
    const routes = await collector.api<Route[]>('routes?service=shop&window=5m');
    const by = new Map(routes.map((r) => [`${r.method} ${r.route}`, r]));
    const expected = new Map<string, number>();
    for (const t of TRAFFIC) expected.set(`GET ${t.route}`, (expected.get(`GET ${t.route}`) ?? 0) + t.times);
    assert.deepEqual([...by.keys()].sort(), [...expected.keys()].sort());
    for (const [key, n] of expected) assert.equal(by.get(key)?.requests, n, key);
    const featured = by.get('GET /products/featured') as Route;
    assert.equal(featured.dbQueriesPerRequest, 13);
    assert.equal(featured.nPlusOneRequests, 3);
    assert.match(featured.nPlusOneTemplate ?? '', /SELECT id, name, price_cents FROM tk_shop_products WHERE id = \$1/);
    const products = by.get('GET /products') as Route;
    assert.equal(products.dbQueriesPerRequest, 1);
    assert.equal(products.nPlusOneRequests, 0);
    assert.equal(products.nPlusOneTemplate, null);
    assert.equal(by.get('GET /orders/:id')?.dbQueriesPerRequest, 1);
    assert.equal(by.get('GET /checkout/:productId')?.outgoingPerRequest, 1);
    // Work a route never did is zero, not unknown: the shop sends tracekit's per-request sums.
    assert.equal(products.outgoingPerRequest, 0);
    assert.equal(by.get('GET /checkout/:productId')?.dbQueriesPerRequest !== null, true);
    const charge = by.get('GET /payments/charge') as Route;
    assert.equal(charge.errors, 2);
    assert.equal(charge.errorPct, 100);
    assert.equal(by.get('GET /orders/:id')?.errors, 0, 'a 404 is not a server error');
  });

  it('groups the failing route errors into one group with its stack and a trace', async () => {
    const groups = await collector.api<ErrorGroup[]>('errors?service=shop&window=5m');
    assert.equal(groups.length, 1, JSON.stringify(groups));
    const g = groups[0];
    assert.equal(g.count, 2);
    assert.equal(g.type, 'Error');
    assert.equal(g.message, 'payment provider declined the charge');
    assert.deepEqual(g.routes, ['/payments/charge']);
    assert.match(g.stack, /fixtures\/shop\/app\.cjs/);
    assert.ok(g.firstSeenMs <= g.lastSeenMs);
    const trace = await collector.api<{ spans: Span[] }>(`traces/${g.traceId}`);
    const failing = trace.spans.find((s) => s.spanId === g.spanId);
    assert.ok(failing?.events.some((e) => e.name === 'exception'), 'the sample span holds the exception event');
  });

  it('outgoing hosts and the dependency graph', async () => {
    const hosts = await collector.api<{ service: string; host: string; calls: number; errors: number }[]>('outgoing?service=shop&window=5m');
    assert.deepEqual(hosts.map((h) => [h.host, h.calls, h.errors]), [[inventoryHost, 4, 0]]);
    const graph = await collector.api<{ routeToHost: { route: string; host: string; calls: number }[]; serviceToService: { from: string; to: string; calls: number }[] }>('graph?window=5m');
    assert.deepEqual(graph.routeToHost.map((e) => [e.route, e.host, e.calls]), [['GET /checkout/:productId', inventoryHost, 4]]);
    assert.deepEqual(graph.serviceToService.map((e) => [e.from, e.to, e.calls]), [['shop', 'inventory', 4]]);
  });

  it('trace search filters by route, status and duration, and a trace comes back whole', async () => {
    const featured = await collector.api<TraceSummary[]>('traces?service=shop&route=/products/featured&window=5m');
    assert.equal(featured.length, 3);
    const failed = await collector.api<TraceSummary[]>('traces?service=shop&status=error&window=5m');
    assert.deepEqual(failed.map((t) => t.httpStatus), [500, 500]);
    assert.equal((await collector.api<TraceSummary[]>('traces?service=shop&status=4xx&window=5m')).length, 2);
    assert.equal((await collector.api<TraceSummary[]>('traces?service=shop&minDurationMs=600000&window=5m')).length, 0);
    const byId = await collector.api<TraceSummary[]>(`traces?traceId=${featured[0].traceId}&window=5m`);
    assert.deepEqual(byId.map((t) => t.spanId), [featured[0].spanId]);

    const trace = await collector.api<{ spans: Span[] }>(`traces/${featured[0].traceId}`);
    const ids = new Set(trace.spans.map((s) => s.spanId));
    const roots = trace.spans.filter((s) => s.parentId === null);
    assert.equal(roots.length, 1);
    assert.equal(roots[0].name, 'GET /products/featured');
    for (const s of trace.spans) if (s.parentId !== null) assert.ok(ids.has(s.parentId), `${s.name} has its parent in the trace`);
    const queries = trace.spans.filter((s) => s.attributes['db.system.name'] === 'postgresql' || s.attributes['db.system'] === 'postgresql');
    assert.equal(queries.length, 13);
    assert.equal(roots[0].attributes['tracekit.db.n_plus_one'], true);
  });

  it('a checkout trace crosses both services: inventory server span under the shop client span', async () => {
    const [checkout] = await collector.api<TraceSummary[]>('traces?service=shop&route=/checkout/:productId&limit=1&window=5m');
    const trace = await collector.api<{ spans: Span[] }>(`traces/${checkout.traceId}`);
    const client = trace.spans.find((s) => s.service === 'shop' && s.kind === 3);
    const server = trace.spans.find((s) => s.service === 'inventory' && s.kind === 2);
    assert.ok(client && server, JSON.stringify(trace.spans.map((s) => [s.service, s.name, s.kind])));
    assert.equal(server.parentId, client.spanId);
  });
});

describe('collector with sampling off', () => {
  it('still counts every request in the overview and routes, with no traces stored', async () => {
    const collector = await startCollectorProcess();
    try {
      const app = await startApp('shop/inventory.cjs', { env: { TRACEKIT_ENDPOINT: collector.url, TRACEKIT_SERVICE_NAME: 'unsampled', TRACEKIT_SAMPLE_RATE: '0', TRACEKIT_METRICS_INTERVAL: '500' } });
      for (let i = 0; i < 7; i++) assert.equal((await get(`${app.url}/stock/${i}`)).status, 200);
      await app.stop();
      const o = await eventually(async () => {
        const v = await collector.api<Overview>('overview?service=unsampled&window=5m');
        return v.requests === 7 ? v : undefined;
      }, 'seven requests');
      assert.equal(o.source, 'metrics');
      const routes = await collector.api<Route[]>('routes?service=unsampled&window=5m');
      assert.deepEqual(routes.map((r) => [r.route, r.requests]), [['/stock/:productId', 7]]);
      assert.equal((await collector.api<TraceSummary[]>('traces?service=unsampled&window=5m')).length, 0);
    } finally {
      await collector.stop();
    }
  });
});
