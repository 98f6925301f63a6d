/**
 * The dashboard's Queries view, route pages, Runtime view and sort-in-the-URL, in real
 * Chromium against a real `tracekit start` fed by the demo shop under the agent. Each view is
 * compared with what the query API answers, and the API with what the shop did.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, screenshot, watchPage } from './helpers/browser';
import { eventually, type CollectorProcess } from './helpers/collector';
import { serverSpanJson } from './helpers/otlp-json';
import { runShop, SHOP_TRAFFIC } from './helpers/shop';

interface QueryStats { service: string; statement: string; calls: number; rowsPerCall: number | null; routes: string[]; nPlusOne: boolean; exampleTraceId: string; exampleSpanId: string }
interface TraceSummary { traceId: string; durationMs: number }
interface TraceRow extends TraceSummary { service: string; route: string | null; services: string[]; spanCount: number; errorSpans: number; error: boolean }
interface RouteView {
  figures: { requests: number } | null;
  distribution: { counts: number[]; statuses: { status: number | null; requests: number }[] };
  slowest: TraceSummary[];
  recent: TraceSummary[];
  queries: QueryStats[];
  outgoing: { host: string; calls: number }[];
  errors: { message: string; traceId: string }[];
}
interface RuntimeSeries { processes: { service: string; instance: string; gauges: Record<string, (number | null)[]> }[] }

const N_PLUS_ONE = 'SELECT id, name, price_cents FROM tk_shop_products WHERE id = $1';
const DIR = 'dashboard';
const timesOf = (path: string): number => SHOP_TRAFFIC.find((t) => t.path === path)?.times ?? 0;

/** A failed `GET /jobs` of `service` at `timeMs`, thrown in `fn` (distinct stacks make distinct groups). */
function failedSpan(service: string, timeMs: number, message: string, fn: string): unknown {
  return serverSpanJson({ service, route: '/jobs', status: 500, endMs: timeMs, exception: { message, fn } });
}

describe('dashboard views in Chromium', () => {
  let collector: CollectorProcess;
  let inventoryHost: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  /** A new page at `path`; `beforeLoad` runs first (to watch what the page fetches from its start). */
  async function openPage(path: string, beforeLoad?: (page: Page) => void): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const watch = await watchPage(page);
    page.on('close', () => problems.push(...watch.pageErrors, ...watch.dialogs));
    beforeLoad?.(page);
    await page.goto(collector.url + path);
    return page;
  }

  before(async () => {
    ({ collector, inventoryHost } = await runShop());
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await collector?.stop();
    assert.deepEqual(problems, [], 'no page error or dialog on any page');
  });

  it('the query API: one row per statement, with its routes, rows per call and the N+1 mark', async () => {
    const queries = await collector.api<QueryStats[]>('queries?service=shop&window=5m');
    const loop = queries.find((q) => q.statement === N_PLUS_ONE);
    assert.ok(loop, 'the N+1 statement is listed');
    // /products/featured runs it once for each of 12 products.
    assert.equal(loop.calls, 12 * timesOf('/products/featured'));
    assert.deepEqual(loop.routes, ['GET /products/featured']);
    assert.equal(loop.rowsPerCall, 1);
    assert.equal(loop.nPlusOne, true);
    assert.deepEqual(queries.filter((q) => q.nPlusOne).map((q) => q.statement), [N_PLUS_ONE], 'only the loop is marked');
    const orders = queries.find((q) => q.statement.startsWith('SELECT id, product_id, quantity FROM tk_shop_orders'));
    assert.deepEqual([orders?.calls, orders?.routes], [timesOf('/orders/1'), ['GET /orders/:id']]);
    // The example is the slowest call, and it is in the trace it names.
    const trace = await collector.api<{ spans: { spanId: string; name: string }[] }>(`traces/${loop.exampleTraceId}`);
    assert.ok(trace.spans.some((s) => s.spanId === loop.exampleSpanId));
    // One route's queries only.
    const ofRoute = await collector.api<QueryStats[]>(`queries?service=shop&window=5m&route=${encodeURIComponent('GET /products')}`);
    assert.deepEqual(ofRoute.map((q) => q.routes), [['GET /products']]);
  });

  it('the Queries view lists what the API answers, marks the N+1 statement, sorts by a column kept in the URL, and opens an example trace', async () => {
    const page = await openPage('/?view=queries&service=shop&window=5m');
    await page.waitForSelector('table.queries tbody tr');
    const api = await collector.api<QueryStats[]>('queries?service=shop&window=5m');
    const shown = await page.locator('table.queries tbody tr').evaluateAll((rows) => rows.map((r) => ({ statement: r.getAttribute('data-statement'), nPlusOne: r.classList.contains('n-plus-one') })));
    // By total time, as the API orders them.
    assert.deepEqual(shown.map((r) => r.statement), api.map((q) => q.statement));
    assert.deepEqual(shown.filter((r) => r.nPlusOne).map((r) => r.statement), [N_PLUS_ONE]);
    await screenshot(page, DIR, 'queries');

    await page.click('button[data-sort="calls"]');
    assert.equal(new URL(page.url()).searchParams.get('sort'), 'calls');
    await page.reload();
    await page.waitForSelector('table.queries tbody tr');
    assert.equal(await page.locator('th[aria-sort="descending"] button').getAttribute('data-sort'), 'calls');
    const byCalls = [...api].sort((a, b) => b.calls - a.calls);
    assert.equal(await page.locator('table.queries tbody tr').first().getAttribute('data-statement'), byCalls[0].statement);

    const loop = api.find((q) => q.statement === N_PLUS_ONE) as QueryStats;
    const row = page.locator('table.queries tbody tr.n-plus-one');
    assert.equal(await row.locator('td.query-routes a').innerText(), 'GET /products/featured');
    await row.locator('a[data-example]').click();
    // The example call is shown (its N+1 group drawn open) with its details in the side panel.
    await page.waitForSelector(`.waterfall [data-span-id="${loop.exampleSpanId}"]`);
    await page.waitForSelector(`.wf-panel [data-span-detail="${loop.exampleSpanId}"]`);
    const url = new URL(page.url());
    assert.deepEqual([url.searchParams.get('view'), url.searchParams.get('trace'), url.searchParams.get('span'), url.searchParams.get('sort')], ['traces', loop.exampleTraceId, loop.exampleSpanId, null]);
  });

  it('a route page opens from the routes table: histogram, status codes, traces and queries agree with the API', async () => {
    const page = await openPage('/?service=shop&window=5m');
    await page.waitForSelector('html[data-ready="true"]');
    await page.click('tr[data-route="GET /products/featured"] a.route-link');
    await page.waitForSelector('#route-histogram');
    const url = new URL(page.url());
    assert.deepEqual([url.searchParams.get('view'), url.searchParams.get('method'), url.searchParams.get('route')], ['route', 'GET', '/products/featured']);
    assert.equal(await page.locator('#route-title').innerText(), 'GET /products/featured');
    const api = await collector.api<RouteView>('route?service=shop&method=GET&route=%2Fproducts%2Ffeatured&window=5m');
    assert.equal(api.figures?.requests, timesOf('/products/featured'));
    const counts = await page.locator('#route-histogram [data-count]').evaluateAll((cols) => cols.map((c) => Number(c.getAttribute('data-count'))));
    assert.equal(counts.reduce((a, b) => a + b, 0), timesOf('/products/featured'), 'every request in one bar');
    assert.deepEqual(api.distribution.statuses, [{ status: 200, requests: timesOf('/products/featured') }]);
    assert.equal(await page.locator('#route-statuses tr[data-status="200"] [data-col="requests"]').innerText(), String(timesOf('/products/featured')));
    // Slowest first, and the same traces as the most recent list.
    const slowest = await page.locator('#route-slowest tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    assert.deepEqual(slowest, api.slowest.map((t) => t.traceId));
    const durations = api.slowest.map((t) => t.durationMs);
    assert.deepEqual(durations, [...durations].sort((a, b) => b - a));
    assert.deepEqual(new Set(api.recent.map((t) => t.traceId)), new Set(slowest));
    assert.equal(await page.locator(`#route-queries tr.n-plus-one`).getAttribute('data-statement'), N_PLUS_ONE);
    await screenshot(page, DIR, 'route');
    await page.locator('#route-slowest a').first().click();
    await page.waitForSelector('.waterfall');
    assert.equal(new URL(page.url()).searchParams.get('trace'), api.slowest[0].traceId);
  });

  it('a route page shows the outgoing calls and the errors of its requests', async () => {
    const checkout = await collector.api<RouteView>(`route?service=shop&method=GET&route=${encodeURIComponent('/checkout/:productId')}&window=5m`);
    assert.deepEqual(checkout.outgoing.map((o) => [o.host, o.calls]), [[inventoryHost, timesOf('/checkout/3')]]);
    assert.deepEqual(checkout.errors, []);
    const page = await openPage(`/?view=route&service=shop&method=GET&route=${encodeURIComponent('/checkout/:productId')}&window=5m`);
    await page.waitForSelector(`#route-outgoing tr[data-host="${inventoryHost}"]`);

    const payments = await collector.api<RouteView>('route?service=shop&method=GET&route=%2Fpayments%2Fcharge&window=5m');
    assert.deepEqual(payments.distribution.statuses, [{ status: 500, requests: timesOf('/payments/charge') }]);
    assert.deepEqual(payments.errors.map((e) => e.message), ['payment provider declined the charge']);
    await page.goto(`${collector.url}/?view=route&service=shop&method=GET&route=%2Fpayments%2Fcharge&window=5m`);
    await page.waitForSelector('#route-errors tr.bad');
    assert.match(await page.locator('#route-errors').innerText(), /payment provider declined the charge/);
    assert.equal(await page.locator('#route-statuses tr[data-status="500"]').getAttribute('class'), 'bad');
  });

  it('the Runtime view: one row and one line per process, with the latest values the API holds', async () => {
    const api = await collector.api<RuntimeSeries>('runtime?window=5m');
    assert.deepEqual(api.processes.map((p) => p.service).sort(), ['inventory', 'shop']);
    // A gauge's points are averaged per time bucket, and the processes keep exporting, so the
    // latest value moves between reads: the row must show the latest of one of the page's own reads.
    const answers: Promise<RuntimeSeries>[] = [];
    const page = await openPage('/?view=runtime&window=5m', (p) => p.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/runtime') answers.push(r.json() as Promise<RuntimeSeries>);
    }));
    await page.waitForSelector('table.processes tbody tr');
    await page.waitForFunction(() => ['chart-cpu', 'chart-memory', 'chart-delay', 'chart-elu'].every((id) => window.tracekitDebug.charts[id] !== undefined));
    for (const p of api.processes) {
      const rss = p.gauges['process.memory.usage'].filter((v) => v !== null);
      assert.ok(rss.length > 0, `${p.service} sent its RSS`);
      const row = page.locator(`table.processes tr[data-instance="${p.instance}"]`);
      const shown = Number(await row.locator('[data-col="rss"]').getAttribute('data-value'));
      const latestRead = (await Promise.all(answers)).map((a) => a.processes.find((q) => q.instance === p.instance)?.gauges['process.memory.usage'].filter((v) => v !== null).pop());
      assert.ok(latestRead.length > 0, 'the page read /api/runtime');
      assert.ok(latestRead.includes(shown), `${p.service}: the row shows ${shown}; the latest values of the page's reads were ${latestRead.join(', ')}`);
      assert.match(await row.locator('[data-col="heap"]').innerText(), /^[\d.]+ [KMG]iB \/ [\d.]+ [KMG]iB$/);
    }
    // One line per process on the CPU chart; RSS and heap (two per process) on the memory chart.
    const series = await page.evaluate(() => ['chart-cpu', 'chart-memory'].map((id) => (window.tracekitDebug.charts[id] as { series: unknown[] }).series.length - 1));
    assert.deepEqual(series, [api.processes.length, 2 * api.processes.length]);
    await screenshot(page, DIR, 'runtime');

    const none = await openPage('/?view=runtime&service=no-such-service&window=5m');
    await none.waitForSelector('#no-runtime');
  });

  it('trace search finds traces by any span\'s attributes and name, one row per trace with its services and span count', async () => {
    const find = (q: string): Promise<TraceRow[]> => collector.api<TraceRow[]>(`traces?window=5m&limit=1000&${q}`);
    // A column-backed attribute (the status) and a JSON one (error.type) find the same failures.
    for (const q of ['attr=http.response.status_code%3D500', 'attr=error.type']) {
      const failed = await find(q);
      assert.deepEqual(failed.map((t) => t.route), Array(timesOf('/payments/charge')).fill('/payments/charge'), q);
      assert.ok(failed.every((t) => t.error && t.errorSpans > 0));
    }
    // A filter on the callee's span (url.path of inventory's request) finds the caller's trace, with both services.
    const checkout = await find('attr=url.path~STOCK');
    assert.equal(checkout.length, timesOf('/checkout/3'));
    for (const t of checkout) {
      assert.deepEqual([t.service, t.route, t.services], ['shop', '/checkout/:productId', ['inventory', 'shop']]);
      const detail = await collector.api<{ spans: unknown[] }>(`traces/${t.traceId}`);
      assert.equal(t.spanCount, detail.spans.length);
    }
    // Two filters must both hold (on any spans of the trace).
    assert.equal((await find(`attr=${encodeURIComponent('db.query.text~tk_shop_products')}&attr=${encodeURIComponent('http.route=/products/featured')}`)).length, timesOf('/products/featured'));
    assert.equal((await find(`attr=${encodeURIComponent('db.query.text~tk_shop_orders')}&attr=${encodeURIComponent('http.route=/products/featured')}`)).length, 0);
    assert.deepEqual((await find('name=select%20tk_shop_orders&service=shop')).map((t) => t.route), Array(timesOf('/orders/1')).fill('/orders/:id'));
    // A duration range, and the slowest first.
    const slowest = await find('sort=slowest&service=shop');
    assert.deepEqual(slowest.map((t) => t.durationMs), [...slowest.map((t) => t.durationMs)].sort((a, b) => b - a));
    const top = slowest[0].durationMs;
    assert.deepEqual((await find(`service=shop&minDurationMs=${top}&maxDurationMs=${top}`)).map((t) => t.traceId), [slowest[0].traceId]);
    // A malformed filter is named in a 400.
    const bad = await fetch(`${collector.url}/api/traces?attr=${encodeURIComponent('no spaces=1')}`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /attr must be key=value/);
  });

  it('the trace search page: attributes typed in the form, results as rows and as a scatter whose dots open traces', async () => {
    const page = await openPage('/?view=traces&service=shop&window=5m');
    await page.waitForSelector('table.traces tbody tr');
    await page.fill('input[name="attrs"]', 'url.path~stock db.system.name');
    await page.click('form.filters button[type="submit"]');
    // The checkout traces have an outgoing call but no query: none match both.
    await page.waitForSelector('text=No traces match in this window.');
    await page.fill('input[name="attrs"]', 'url.path~"/stock/"');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction((n) => document.querySelectorAll('table.traces tbody tr').length === n, timesOf('/checkout/3'));
    assert.equal(new URL(page.url()).searchParams.get('attrs'), 'url.path~"/stock/"');
    for (const services of await page.locator('table.traces td[data-col="services"]').allInnerTexts()) assert.equal(services, 'inventory, shop');
    const ids = await page.locator('table.traces tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    const dots = await page.locator('#trace-scatter circle').evaluateAll((cs) => cs.map((c) => c.getAttribute('data-trace-id')));
    assert.deepEqual(new Set(dots), new Set(ids));
    await screenshot(page, DIR, 'trace-search');
    await page.locator(`#trace-scatter circle[data-trace-id="${ids[1]}"]`).click();
    await page.waitForSelector('.waterfall .wf-row');
    assert.equal(new URL(page.url()).searchParams.get('trace'), ids[1]);
    // Sorting by duration asks for the slowest of the window, and keeps it in the URL.
    await page.click('table.traces button[data-sort="duration"]');
    assert.equal(new URL(page.url()).searchParams.get('sort'), 'duration');
    await page.waitForResponse((r) => r.url().includes('/api/traces') && r.url().includes('sort=slowest'));
    const shown = await page.locator('table.traces td[data-col="duration"]').allInnerTexts();
    const ms = shown.map((t) => (t.endsWith(' s') ? parseFloat(t) * 1000 : parseFloat(t)));
    assert.deepEqual(ms, [...ms].sort((a, b) => b - a));
  });

  it('an error back after a silence is marked regressed; one first seen in the window is new; one only seen before is not listed', async () => {
    const post = async (body: unknown): Promise<void> => {
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200, await res.text());
    };
    const threeHoursAgo = Date.now() - 3 * 3600_000;
    // Distinct stacks make distinct groups (a group is its stack's frames, not its message).
    await post(failedSpan('jobs', threeHoursAgo, 'the queue is gone', 'drainQueue'));
    await post(failedSpan('jobs', Date.now() - 1000, 'the queue is gone', 'drainQueue'));
    await post(failedSpan('jobs', Date.now() - 1000, 'a brand new failure', 'sendMail'));
    await post(failedSpan('jobs', threeHoursAgo, 'an old failure', 'resize'));
    type Group = { message: string; isNew: boolean; regressed: boolean; previousSeenMs: number | null; count: number; fingerprint: string };
    const groups = await eventually(async () => {
      const g = await collector.api<Group[]>('errors?service=jobs&window=1h');
      return g.length === 2 ? g : undefined;
    }, 'the two groups of the last hour');
    const byMessage = new Map(groups.map((g) => [g.message, g]));
    assert.deepEqual([byMessage.get('the queue is gone')?.regressed, byMessage.get('the queue is gone')?.isNew, byMessage.get('the queue is gone')?.count], [true, false, 1]);
    assert.ok(Math.abs((byMessage.get('the queue is gone')?.previousSeenMs ?? 0) - threeHoursAgo) < 5);
    assert.deepEqual([byMessage.get('a brand new failure')?.regressed, byMessage.get('a brand new failure')?.isNew], [false, true]);
    assert.equal(byMessage.has('an old failure'), false);
    const page = await openPage('/?service=jobs&window=1h');
    const regressed = page.locator(`li[data-fingerprint="${byMessage.get('the queue is gone')?.fingerprint}"]`);
    await regressed.waitFor();
    assert.deepEqual(await regressed.locator('[data-mark]').evaluateAll((m) => m.map((x) => x.getAttribute('data-mark'))), ['regressed']);
    const fresh = page.locator(`li[data-fingerprint="${byMessage.get('a brand new failure')?.fingerprint}"]`);
    assert.deepEqual(await fresh.locator('[data-mark]').evaluateAll((m) => m.map((x) => x.getAttribute('data-mark'))), ['new']);
    // An app frame and a library frame: the library one is folded.
    await regressed.locator('.error-summary').click();
    assert.match(await regressed.locator('.frame-app').innerText(), /drainQueue/);
    assert.equal(await regressed.locator('details.lib-frames').getAttribute('data-library-frames'), '1');
  });

  it('the waterfall folds a subtree, and shows a span\'s details in a side panel kept in the URL', async () => {
    const [summary] = await collector.api<TraceSummary[]>(`traces?service=shop&window=5m&route=${encodeURIComponent('/checkout/:productId')}&limit=1`);
    const trace = await collector.api<{ spans: { spanId: string; parentId: string | null; kind: number; service: string }[] }>(`traces/${summary.traceId}`);
    const root = trace.spans.find((s) => s.parentId === null);
    const client = trace.spans.find((s) => s.kind === 3 && s.service === 'shop' && trace.spans.some((c) => c.parentId === s.spanId));
    assert.ok(root && client, 'a root and a client call with the callee below it');
    const page = await openPage(`/?view=traces&service=shop&window=5m&trace=${summary.traceId}`);
    await page.waitForSelector('.wf-row');
    const rowCount = (): Promise<number> => page.locator('.wf-row[data-span-id]').count();
    assert.equal(await rowCount(), trace.spans.length);
    // Folding the root hides everything below it and says how much.
    await page.click(`.wf-fold[data-fold="${root.spanId}"]`);
    assert.equal(await rowCount(), 1);
    assert.equal(await page.locator(`[data-span-id="${root.spanId}"] [data-hidden-count]`).getAttribute('data-hidden-count'), String(trace.spans.length - 1));
    assert.equal(await page.locator(`[data-span-id="${root.spanId}"]`).getAttribute('aria-expanded'), 'false');
    await page.click(`.wf-fold[data-fold="${root.spanId}"]`);
    assert.equal(await rowCount(), trace.spans.length);

    // A span's details open beside the waterfall, stay across a reload, and close on Escape.
    await page.click(`.wf-row[data-span-id="${client.spanId}"]`);
    await page.waitForSelector(`.wf-panel [data-span-detail="${client.spanId}"]`);
    assert.equal(new URL(page.url()).searchParams.get('span'), client.spanId);
    const [list, panel] = await Promise.all([page.locator('.wf-main').boundingBox(), page.locator('.wf-panel').boundingBox()]);
    assert.ok(list && panel && panel.x >= list.x + list.width, 'the panel is beside the waterfall, not below it');
    await page.reload();
    await page.waitForSelector(`.wf-panel [data-span-detail="${client.spanId}"]`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('.wf-panel', { state: 'detached' });
    assert.equal(new URL(page.url()).searchParams.get('span'), null);
    // Folding a span above the selected one closes its details.
    await page.click(`.wf-row[data-span-id="${client.spanId}"]`);
    await page.waitForSelector('.wf-panel');
    await page.click(`.wf-fold[data-fold="${root.spanId}"]`);
    await page.waitForSelector('.wf-panel', { state: 'detached' });
    await screenshot(page, DIR, 'waterfall-folded');
  });

  it('the service map: services with their numbers, the inventory host drawn as the inventory service, and nodes and edges that open filtered traces', async () => {
    type Map = { services: { service: string; requests: number; p95Ms: number | null }[]; edges: { from: string; toService: string | null; host: string; calls: number; errorPct: number; p95Ms: number | null }[] };
    const map = await collector.api<Map>('service-map?window=5m');
    // (Other tests may add services of their own; the shop and its inventory are what this one checks.)
    for (const name of ['inventory', 'shop']) assert.ok(map.services.some((s) => s.service === name), name);
    const shopOverview = await collector.api<{ requests: number; p95Ms: number | null }>('overview?service=shop&window=5m');
    assert.deepEqual(map.services.find((s) => s.service === 'shop')?.p95Ms, shopOverview.p95Ms);
    assert.deepEqual(map.edges, [{ from: 'shop', toService: 'inventory', host: inventoryHost, calls: timesOf('/checkout/3'), errorPct: 0, p95Ms: map.edges[0].p95Ms }]);
    const page = await openPage('/?view=map&window=5m');
    await page.waitForFunction(() => window.tracekitDebug.graphs.map !== undefined);
    // Two service nodes and one edge between them: no node for the inventory's address.
    const drawn = await page.evaluate(() => {
      const cy = window.tracekitDebug.graphs.map as { nodes(): { data(k: string): string }[]; edges(): { data(k: string): string }[] };
      return { nodes: [...cy.nodes()].map((n) => n.data('id')).sort(), edges: [...cy.edges()].map((e) => `${e.data('source')}>${e.data('target')}`) };
    });
    assert.deepEqual(drawn.edges, ['service:shop>service:inventory']);
    assert.ok(drawn.nodes.includes('service:shop') && drawn.nodes.includes('service:inventory'));
    assert.deepEqual(drawn.nodes.filter((n) => n.startsWith('host:')), []);
    assert.match(await page.locator('table.map-services tr[data-service="shop"]').innerText(), new RegExp(`shop\\s+${(shopOverview.requests / 300).toFixed(2)}/s`));
    await screenshot(page, DIR, 'service-map');
    // Clicking the edge on the canvas opens the shop's traces of calls to the inventory.
    const at = await page.evaluate(() => {
      const cy = window.tracekitDebug.graphs.map as { edges(): { renderedMidpoint(): { x: number; y: number } }[] };
      return [...cy.edges()][0].renderedMidpoint();
    });
    const box = await page.locator('#graph-map .graph-canvas').boundingBox();
    assert.ok(box);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await eventually(async () => (new URL(page.url()).searchParams.get('view') === 'traces' ? true : undefined), 'the traces view');
    const url = new URL(page.url());
    assert.deepEqual([url.searchParams.get('service'), url.searchParams.get('attrs')], ['shop', `url.full~"//${inventoryHost}/"`]);
    await page.waitForFunction((n) => document.querySelectorAll('table.traces tbody tr').length === n, timesOf('/checkout/3'));
    for (const t of await page.locator('table.traces tbody tr').allInnerTexts()) assert.match(t, /GET \/checkout\/:productId/);
    // Clicking the inventory's node opens the inventory's traces, unfiltered.
    await page.goBack();
    await page.waitForFunction(() => window.tracekitDebug.graphs.map !== undefined);
    const node = await page.evaluate(() => {
      const cy = window.tracekitDebug.graphs.map as { getElementById(id: string): { renderedPosition(): { x: number; y: number } } };
      return cy.getElementById('service:inventory').renderedPosition();
    });
    const box2 = await page.locator('#graph-map .graph-canvas').boundingBox();
    assert.ok(box2);
    await page.mouse.click(box2.x + node.x, box2.y + node.y);
    await eventually(async () => (new URL(page.url()).searchParams.get('service') === 'inventory' ? true : undefined), 'the inventory\'s traces');
    const nodeUrl = new URL(page.url());
    assert.deepEqual([nodeUrl.searchParams.get('view'), nodeUrl.searchParams.get('attrs')], ['traces', null]);
    await page.waitForSelector('table.traces tbody tr');
  });

  it('chart time labels never overlap, at 1024 and 1400 pixels, with and without seconds', async () => {
    for (const width of [1024, 1400]) {
      for (const win of ['1m', '5m', '15m', '1h']) {
        const context = await browser.newContext({ viewport: { width, height: 900 } });
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(`${collector.url}/?service=shop&window=${win}`);
        await page.waitForFunction(() => window.tracekitDebug.charts['chart-latency'] !== undefined);
        for (const id of ['chart-traffic', 'chart-latency']) {
          // uPlot draws the axis on the canvas: its chosen ticks and their text are on the axis object.
          const ticks = await page.evaluate((chart) => {
            type Axis = { _splits: number[]; _values: string[]; font: [string] };
            const u = window.tracekitDebug.charts[chart] as { axes: Axis[]; valToPos(v: number, scale: string): number };
            const ctx = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
            ctx.font = u.axes[0].font[0];
            return u.axes[0]._splits.map((v, i) => ({ x: u.valToPos(v, 'x'), width: ctx.measureText(u.axes[0]._values[i]).width / devicePixelRatio, text: u.axes[0]._values[i] }));
          }, id);
          assert.ok(ticks.length >= 2, `${width}px ${win} ${id}: ${ticks.length} labels`);
          for (let i = 1; i < ticks.length; i++) {
            const gap = ticks[i].x - ticks[i - 1].x - (ticks[i].width + ticks[i - 1].width) / 2;
            assert.ok(gap >= 4, `${width}px ${win} ${id}: "${ticks[i - 1].text}" and "${ticks[i].text}" are ${gap.toFixed(1)}px apart`);
          }
        }
        await context.close();
      }
    }
  });

  it('the routes table keeps its sort in the URL', async () => {
    const page = await openPage('/?service=shop&window=5m');
    await page.waitForSelector('html[data-ready="true"]');
    await page.click('table.routes button[data-sort="p95"]');
    assert.equal(new URL(page.url()).searchParams.get('sort'), 'p95');
    await page.click('table.routes button[data-sort="p95"]');
    assert.equal(new URL(page.url()).searchParams.get('sort'), 'p95.asc');
    await page.reload();
    await page.waitForSelector('html[data-ready="true"]');
    assert.equal(await page.locator('table.routes th[aria-sort="ascending"] button').getAttribute('data-sort'), 'p95');
    const p95s = await page.locator('table.routes tbody td[data-col="p95"]').evaluateAll((cells) => cells.map((c) => c.textContent ?? ''));
    const values = p95s.filter((t) => t !== '–').map((t) => (t.endsWith(' s') ? parseFloat(t) * 1000 : parseFloat(t)));
    assert.deepEqual(values, [...values].sort((a, b) => a - b));
  });
});
