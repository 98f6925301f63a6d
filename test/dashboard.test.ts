/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against a real
 * `tracekit start` fed by the shop fixture under the agent. Each view is compared with what
 * the query API answers for the same service and window, and screenshotted into
 * test-artifacts/dashboard/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startAiStub, type AiStub } from './helpers/ai-stub';
import { readFileSync } from 'node:fs';
import { ROOT } from './helpers/app';
import { ARTIFACTS, launchBrowser, screenshot, watchPage } from './helpers/browser';
import { eventually, startCollectorProcess, type CollectorProcess } from './helpers/collector';
import { serverSpanJson } from './helpers/otlp-json';
import { runShop, SHOP_REQUESTS } from './helpers/shop';

interface Overview { requests: number; requestRate: number; errorRate: number; p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; maxMs: number | null; inFlight: number | null; cpuUtilization: number | null; memoryBytes: number | null }
interface Route { service: string; method: string | null; route: string; requests: number; rate: number; errorPct: number; p95Ms: number | null; dbQueriesPerRequest: number | null; nPlusOneRequests: number; nPlusOneTemplate: string | null }
interface ErrorGroup { fingerprint: string; message: string; traceId: string; spanId: string; count: number; sparkline: number[]; isNew: boolean; regressed: boolean; samples: { traceId: string }[] }
interface Span { spanId: string; parentId: string | null; service: string; kind: number; name: string; startMs: number; durationMs: number }

const TOTAL = SHOP_REQUESTS;
const HOSTILE = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(1)</script>';
const STUB_ANSWER = 'Stub analysis: the route repeats one query per product; batch it with WHERE id = ANY($1).';
const DASHBOARD = 'dashboard';

/**
 * A number as the page shows it ("7.1 ms", "1.20 s", "5.1%", "1.04/s", "98.8 MiB") in the API's
 * unit, with the half-step of its last shown digit (the most that rounding for display moves it).
 */
function parseShown(text: string): { value: number; rounding: number } {
  const m = /^(-?[\d,.]+)\s*(ms|s|%|\/s|B|KiB|MiB|GiB)?$/.exec(text.trim());
  assert.ok(m, `not a number: ${JSON.stringify(text)}`);
  const digits = m[1].replace(/,/g, '');
  const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
  const scale: Record<string, number> = { s: 1000, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
  const unit = scale[m[2] ?? ''] ?? 1;
  return { value: Number(digits) * unit, rounding: (0.5 * unit) / 10 ** decimals };
}

/** The shown number is the API's, up to 1% or the display's rounding, whichever is larger. */
function close(shown: { value: number; rounding: number }, actual: number, what: string): void {
  const allowed = Math.max(0.01, Math.abs(actual) * 0.01, shown.rounding * 1.000001);
  assert.ok(Math.abs(shown.value - actual) <= allowed, `${what}: shows ${shown.value}, API says ${actual}`);
}

/** OTLP/JSON from a sender with hostile names everywhere a user-controlled string can reach the page. */
function hostileSpans(): unknown {
  const now = BigInt(Date.now()) * 1_000_000n;
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceSpans: [{
      resource: { attributes: [str('service.name', HOSTILE)] },
      scopeSpans: [{
        scope: { name: SCRIPT },
        spans: [{
          traceId: 'abcdef0123456789abcdef0123456789',
          spanId: '0123456789abcdef',
          name: `GET ${HOSTILE}`,
          kind: 2,
          startTimeUnixNano: String(now - 5_000_000n),
          endTimeUnixNano: String(now),
          attributes: [str('http.request.method', 'GET'), str('http.route', HOSTILE), { key: 'http.response.status_code', value: { intValue: '500' } }, str('note', SCRIPT)],
          events: [{ name: 'exception', timeUnixNano: String(now - 1_000_000n), attributes: [str('exception.type', SCRIPT), str('exception.message', HOSTILE), str('exception.stacktrace', `Error: ${HOSTILE}\n    at ${SCRIPT} (/app/x.js:1:1)`)] }],
          status: { code: 2, message: SCRIPT },
        }],
      }],
    }],
  };
}

/** A route inventory whose template, handler and file name are hostile. */
function hostileRoutes(): unknown {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceLogs: [{
      resource: { attributes: [str('service.name', HOSTILE)] },
      scopeLogs: [{
        logRecords: [{
          timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
          eventName: 'tracekit.route',
          body: { stringValue: `GET ${HOSTILE}` },
          attributes: [str('tracekit.inventory.id', 'hostile-1'), str('http.request.method', 'GET'), str('http.route', `/never/${HOSTILE}`), str('code.function.name', SCRIPT), str('code.file.path', `src/${HOSTILE}/x.js`), { key: 'code.line.number', value: { intValue: '7' } }],
        }],
      }],
    }],
  };
}

/** A log record whose body and attribute are hostile. */
function hostileLogs(): unknown {
  const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
  return {
    resourceLogs: [{
      resource: { attributes: [str('service.name', HOSTILE)] },
      scopeLogs: [{ logRecords: [{ timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), severityNumber: 17, severityText: SCRIPT, body: { stringValue: HOSTILE }, attributes: [str('note', SCRIPT)] }] }],
    }],
  };
}

/** The 1-based line of the first line of `file` (relative to the repository) holding `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(join(ROOT, file), 'utf8').split('\n').findIndex((l) => l.includes(text));
  assert.ok(index >= 0, `${text} in ${file}`);
  return index + 1;
}

describe('dashboard in Chromium', () => {
  let stub: AiStub;
  let collector: CollectorProcess;
  let inventoryHost: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  async function openPage(path: string, options: { colorScheme?: 'light' | 'dark'; width?: number } = {}): Promise<{ page: Page; watch: Awaited<ReturnType<typeof watchPage>> }> {
    const context = await browser.newContext({ viewport: { width: options.width ?? 1400, height: 900 }, colorScheme: options.colorScheme ?? 'light' });
    contexts.push(context);
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.goto(collector.url + path);
    return { page, watch };
  }

  async function ready(page: Page): Promise<void> {
    await page.waitForSelector('html[data-ready="true"]', { timeout: 15000 });
  }

  before(async () => {
    stub = await startAiStub(STUB_ANSWER);
    // A zero log-search budget: a text search over a window longer than its first slice stops
    // after that slice, so the Logs view's partial page and "older records" can be tested.
    ({ collector, inventoryHost } = await runShop(['--ai-origin', stub.origin, '--log-search-budget', '0']));
    const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hostileSpans()) });
    assert.equal(res.status, 200, await res.text());
    const routes = await fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hostileRoutes()) });
    assert.equal(routes.status, 200, await routes.text());
    const logs = await fetch(`${collector.url}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(hostileLogs()) });
    assert.equal(logs.status, 200, await logs.text());
    browser = await launchBrowser();
  });

  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await collector?.stop();
    await stub?.close();
  });

  it('serves the page with a CSP allowing only itself and the AI providers', async () => {
    const res = await fetch(collector.url + '/');
    assert.equal(res.status, 200);
    assert.match(await res.text(), /<script type="module" src="\/assets\/app\.js">/);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
    assert.equal(/connect-src ([^;]+)/.exec(csp)?.[1], `'self' https://api.anthropic.com https://api.openai.com ${stub.origin}`);
    assert.doesNotMatch(csp, /unsafe/);
    const js = await fetch(collector.url + '/assets/app.js');
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const again = await fetch(collector.url + '/assets/app.js', { headers: { 'if-none-match': js.headers.get('etag') ?? '' } });
    assert.equal(again.status, 304);
  });

  it('tiles show the numbers the API returns', async () => {
    const { page, watch } = await openPage('/?service=shop&window=5m');
    await ready(page);
    const o = await collector.api<Overview>('overview?service=shop&window=5m');
    const expected: Record<string, number | null> = {
      rate: o.requestRate, errors: o.errorRate * 100, p50: o.p50Ms, p95: o.p95Ms, p99: o.p99Ms, max: o.maxMs,
      inflight: o.inFlight, cpu: o.cpuUtilization === null ? null : o.cpuUtilization * 100, memory: o.memoryBytes,
    };
    for (const [tile, value] of Object.entries(expected)) {
      const el = page.locator(`[data-tile="${tile}"] .tile-value`);
      const raw = await el.getAttribute('data-value');
      if (value === null) {
        assert.equal(raw, '', tile);
        continue;
      }
      assert.equal(Number(raw), value, `${tile} carries the API's number`);
      close(parseShown(await el.innerText()), value, tile);
    }
    assert.match(await page.locator('[data-tile="rate"] .tile-hint').innerText(), new RegExp(`^${TOTAL} in the window`));
    await page.waitForFunction(() => Object.keys(window.tracekitDebug.charts).length === 2);
    await screenshot(page, DASHBOARD, 'overview');
    // Everything the page loads (script, chunks, styles, API) comes from the collector: no CDN.
    await page.waitForFunction(() => window.tracekitDebug.graphs.routes !== undefined);
    assert.ok(watch.requests.some((u) => /\/assets\/chunk-/.test(u)), 'the graph chunk was loaded');
    assert.deepEqual(watch.requests.filter((u) => !u.startsWith(collector.url + '/')), []);
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('routes table: every route, the N+1 route marked with its template, sortable', async () => {
    const { page } = await openPage('/?service=shop&window=5m');
    await ready(page);
    const routes = await collector.api<Route[]>('routes?service=shop&window=5m');
    const key = (r: Route): string => `${r.method ?? ''} ${r.route}`.trim();
    const shown = await page.locator('table.routes tbody tr').evaluateAll((rows) => rows.map((r) => ({ route: r.getAttribute('data-route'), cls: r.className, title: r.getAttribute('title') })));
    assert.deepEqual(shown.map((r) => r.route).sort(), routes.map(key).sort());
    for (const r of ['GET /', 'GET /products', 'GET /products/featured', 'GET /orders/:id', 'GET /checkout/:productId', 'GET /payments/charge']) {
      assert.ok(shown.some((s) => s.route === r), `${r} listed`);
    }
    for (const r of routes) {
      const row = shown.find((s) => s.route === key(r));
      assert.equal(row?.cls.includes('n-plus-one'), r.nPlusOneRequests > 0, `${key(r)} marked iff N+1`);
    }
    // The 404s (no route matched) are named as such.
    assert.match(await page.locator('table.routes').innerText(), /GET \(unmatched\)/);
    const featured = shown.find((s) => s.route === 'GET /products/featured');
    assert.match(featured?.cls ?? '', /n-plus-one/);
    assert.match(featured?.title ?? '', /SELECT id, name, price_cents FROM tk_shop_products WHERE id = \$1/);
    // One way to say "none": routes that made no outgoing call read 0, not "0.00" or "–".
    assert.equal(await page.locator('tr[data-route="GET /products"] [data-col="out"]').innerText(), '0');
    const featuredRow = page.locator('tr[data-route="GET /products/featured"]');
    assert.equal(await featuredRow.locator('[data-col="dbq"]').innerText(), '13.0');
    assert.equal(await featuredRow.locator('[data-col="total"]').innerText(), '3');
    assert.match(await featuredRow.evaluate((el) => getComputedStyle(el.querySelector('td') as Element).color), /^rgb\(198, 40, 40\)$/, 'N+1 row is red');

    const order = async (): Promise<string[]> => page.locator('table.routes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-route') ?? ''));
    const byP95 = [...routes].sort((a, b) => (b.p95Ms ?? -1) - (a.p95Ms ?? -1)).map(key);
    await page.click('button[data-sort="p95"]');
    assert.deepEqual(await order(), byP95, 'p95, slowest first');
    await page.click('button[data-sort="p95"]');
    assert.deepEqual(await order(), [...byP95].reverse(), 'p95, fastest first');
    await page.click('button[data-sort="total"]');
    const totals = await page.locator('table.routes tbody tr [data-col="total"]').allInnerTexts();
    assert.deepEqual(totals.map(Number), [...totals.map(Number)].sort((a, b) => b - a));
    await screenshot(page, DASHBOARD, 'routes-sorted-by-total');
  });

  it('an error group: a sparkline of its count, the new mark, its stack with the app\'s frames marked and library frames folded, and its latest traces', async () => {
    const groups = await collector.api<ErrorGroup[]>('errors?service=shop&window=5m');
    assert.equal(groups.length, 1);
    const g = groups[0];
    assert.equal(g.sparkline.reduce((a, b) => a + b, 0), g.count, 'the sparkline counts every occurrence');
    assert.equal(g.isNew, true, 'first seen in this run');
    assert.equal(g.regressed, false);
    assert.equal(g.samples.length, g.count);
    const { page } = await openPage('/?service=shop&window=5m');
    await ready(page);
    const item = page.locator(`li[data-fingerprint="${g.fingerprint}"]`);
    const summary = item.locator('.error-summary');
    assert.equal(await summary.getAttribute('aria-expanded'), 'false');
    assert.equal(await item.locator('[data-mark="new"]').count(), 1);
    assert.equal(await item.locator('svg.sparkline').getAttribute('data-counts'), g.sparkline.join(','));
    assert.equal(await page.locator('#errors .stack').count(), 0);
    await summary.click();
    assert.equal(await summary.getAttribute('aria-expanded'), 'true');
    const stack = await page.locator('#errors .stack').innerText();
    assert.match(stack, /payment provider declined the charge/);
    // The handler's frame is the app's; express's own frames are folded away until opened.
    assert.match(await item.locator('.frame-app').first().innerText(), /fixtures\/shop\/app\.cjs/);
    const folded = item.locator('details.lib-frames').first();
    assert.equal(await folded.getAttribute('open'), null);
    assert.equal(await folded.locator('.frame-library').first().isVisible(), false);
    assert.match(await folded.locator('summary').innerText(), /^\d+ library frames?$/);
    await folded.locator('summary').click();
    assert.match(await folded.locator('.frame-library').first().innerText(), /node_modules/);
    assert.match(await page.locator('#errors .error-detail').innerText(), /\/payments\/charge/);
    assert.deepEqual(await item.locator('[data-sample-trace]').evaluateAll((as) => as.map((a) => a.getAttribute('data-sample-trace'))), g.samples.map((s) => s.traceId));
    await screenshot(page, DASHBOARD, 'error-expanded');
    await page.click(`#errors button[data-trace="${g.traceId}"]`);
    // The trace opens with the span that raised the error selected.
    await page.waitForSelector(`.wf-panel [data-span-detail="${g.spanId}"]`);
    const url = new URL(page.url());
    assert.deepEqual([url.searchParams.get('view'), url.searchParams.get('trace'), url.searchParams.get('span')], ['traces', g.traceId, g.spanId]);
    assert.match(await page.locator('.span-detail pre.stack').innerText(), /payment provider declined the charge/);
  });

  it('the waterfall of a checkout trace shows every span at its depth across both services', async () => {
    const [summary] = await collector.api<{ traceId: string }[]>('traces?service=shop&window=5m&route=/checkout/:productId&limit=1');
    const trace = await collector.api<{ spans: Span[] }>(`traces/${summary.traceId}`);
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const depth = (s: Span): number => (s.parentId !== null && byId.has(s.parentId) ? 1 + depth(byId.get(s.parentId) as Span) : 0);
    const { page, watch } = await openPage(`/?service=shop&window=5m&view=traces&trace=${summary.traceId}`);
    await page.waitForSelector('.wf-row');
    const rows = await page.locator('.wf-row').evaluateAll((els) => els.map((e) => ({ id: e.getAttribute('data-span-id') ?? '', depth: Number(e.getAttribute('data-depth')) })));
    assert.equal(rows.length, trace.spans.length);
    for (const r of rows) assert.equal(r.depth, depth(byId.get(r.id) as Span), `span ${byId.get(r.id)?.name}`);
    // The known shape: shop server → (handler) → shop client call → inventory server, deeper each time.
    const shopServer = trace.spans.find((s) => s.service === 'shop' && s.kind === 2) as Span;
    const client = trace.spans.find((s) => s.service === 'shop' && s.kind === 3) as Span;
    const inventoryServer = trace.spans.find((s) => s.service === 'inventory' && s.kind === 2) as Span;
    assert.equal(depth(shopServer), 0);
    assert.ok(depth(client) > depth(shopServer) && depth(inventoryServer) === depth(client) + 1, JSON.stringify(rows));
    // Rows are in tree order: every span comes after its parent.
    const position = new Map(rows.map((r, i) => [r.id, i]));
    for (const s of trace.spans) if (s.parentId !== null && position.has(s.parentId)) assert.ok((position.get(s.spanId) as number) > (position.get(s.parentId) as number));
    // A time ruler from 0 to the trace's length, and a legend of the colours and marks.
    const ticks = await page.locator('.wf-ruler .wf-tick').allInnerTexts();
    assert.equal(ticks.length, 5);
    assert.equal(ticks[0], '0.00 ms');
    const t0 = Math.min(...trace.spans.map((s) => s.startMs));
    const length = Math.max(...trace.spans.map((s) => s.startMs + s.durationMs)) - t0;
    assert.match(await page.locator('#waterfall h2').innerText(), new RegExp(`· ${ticks[4].replace(/[.]/g, '\\.')}`), `the last tick is the trace's length (${length} ms)`);
    assert.match(await page.locator('.wf-legend').innerText(), /server[\s\S]*client[\s\S]*internal[\s\S]*failed[\s\S]*log record[\s\S]*event[\s\S]*exception/);
    // The call is named for what it reached in the other service.
    assert.match(await page.locator(`.wf-row[data-span-id="${client.spanId}"] .wf-name`).innerText(), /shop\s+GET inventory \/stock\/:productId/);
    await page.click(`.wf-row[data-span-id="${client.spanId}"]`);
    const attrs = await page.locator('.span-detail table.attrs').first().innerText();
    assert.match(attrs, new RegExp(`url\\.full\\s+http://${inventoryHost.replace(/\./g, '\\.')}/stock/3`));
    await screenshot(page, DASHBOARD, 'waterfall');

    // The trace id to the clipboard, and the trace as a JSON file.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.click('#copy-trace-id');
    await page.waitForSelector('#copy-trace-id:has-text("copied")');
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), summary.traceId);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-trace')]);
    assert.equal(download.suggestedFilename(), `trace-${summary.traceId}.json`);
    const saved = JSON.parse(readFileSync(await download.path(), 'utf8')) as { traceId: string; spans: Span[] };
    assert.equal(saved.traceId, summary.traceId);
    assert.deepEqual(saved.spans.map((x) => x.spanId).sort(), trace.spans.map((x) => x.spanId).sort());
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('the waterfall groups repeated sibling spans (the N+1) into one row that opens and closes', async () => {
    const [summary] = await collector.api<{ traceId: string }[]>('traces?service=shop&window=5m&route=/products/featured&limit=1');
    const trace = await collector.api<{ spans: Span[] }>(`traces/${summary.traceId}`);
    const queries = trace.spans.filter((s) => s.kind === 3 && s.name.startsWith('SELECT'));
    assert.ok(queries.length >= 12, `the featured route's queries: ${queries.length}`);
    const { page } = await openPage(`/?service=shop&window=5m&view=traces&trace=${summary.traceId}`);
    await page.waitForSelector('.wf-row');
    const group = page.locator('.wf-group');
    assert.equal(await group.count(), 1);
    const count = Number(await group.getAttribute('data-count'));
    assert.ok(count >= 12, `grouped ${count}`);
    assert.match(await group.innerText(), new RegExp(`${count} ×\\s+SELECT tk_shop_products`));
    assert.equal(await group.getAttribute('aria-expanded'), 'false');
    assert.equal(await page.locator('.wf-row[data-span-id]').count(), trace.spans.length - count, 'the grouped spans are hidden');
    await group.click();
    assert.equal(await page.locator('.wf-group').getAttribute('aria-expanded'), 'true');
    assert.equal(await page.locator('.wf-row[data-span-id]').count(), trace.spans.length, 'opened: every span has its row');
    await page.locator('.wf-group').click();
    assert.equal(await page.locator('.wf-row[data-span-id]').count(), trace.spans.length - count);
  });

  it('the trace explorer filters by route and status, and keeps the filters in the URL', async () => {
    const { page } = await openPage('/?service=shop&window=5m&view=traces');
    await page.waitForSelector('table.traces tbody tr');
    await page.fill('input[name="route"]', '/payments/charge');
    await page.selectOption('select[name="status"]', 'error');
    await page.click('form.filters button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('table.traces tbody tr').length === 2);
    const texts = await page.locator('table.traces tbody tr').allInnerTexts();
    // The request, where its route is declared, the services, span count and the status.
    for (const t of texts) assert.match(t, /shop GET \/payments\/charge\s+fixtures\/shop\/app\.cjs:\d+\s+shop\s+\d+\s+500/);
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('route'), '/payments/charge');
    assert.equal(url.searchParams.get('status'), 'error');
    await page.fill('input[name="minMs"]', '100000');
    await page.click('form.filters button[type="submit"]');
    await page.waitForSelector('text=No traces match in this window.');
    await screenshot(page, DASHBOARD, 'trace-search');
  });

  it('the trace list follows new traces while it is open, and a status choice applies at once', async () => {
    const service = 'live-list';
    const send = async (route: string): Promise<void> => {
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(serverSpanJson({ service, route, status: 200 })) });
      assert.equal(res.status, 200, await res.text());
    };
    await send('/first');
    const { page } = await openPage(`/?service=${service}&window=5m&view=traces`);
    const firstRow = page.locator('table.traces tbody tr').first();
    await eventually(async () => ((await firstRow.innerText()).includes('/first') ? true : undefined), 'the first trace listed');
    await send('/second');
    // Nothing clicked: the list refreshes by itself.
    await eventually(async () => ((await firstRow.innerText()).includes('/second') ? true : undefined), 'the new trace on top without a click', 12000);
    await page.selectOption('select[name="status"]', 'error');
    await page.waitForSelector('text=No traces match in this window.');
    assert.equal(new URL(page.url()).searchParams.get('status'), 'error');
  });

  it('draws routes → hosts and service → service graphs with the expected nodes', async () => {
    const { page } = await openPage('/?service=shop&window=5m');
    await ready(page);
    await page.waitForFunction(() => window.tracekitDebug.graphs.routes !== undefined && window.tracekitDebug.graphs.services !== undefined);
    const graphs = await page.evaluate(() => {
      type Cy = { nodes(): { map(f: (n: { data(k: string): string }) => string): string[] }; edges(): { map(f: (e: { data(k: string): number }) => number): number[] } };
      const g = window.tracekitDebug.graphs as Record<string, Cy>;
      return {
        routes: g.routes.nodes().map((n) => n.data('label')).sort(),
        routeCalls: g.routes.edges().map((e) => e.data('calls')),
        services: g.services.nodes().map((n) => n.data('label')).sort(),
      };
    });
    assert.deepEqual(graphs.routes, ['127.0.0.1:' + inventoryHost.split(':')[1], 'GET /checkout/:productId'].sort());
    assert.deepEqual(graphs.routeCalls, [3]);
    assert.deepEqual(graphs.services, ['inventory', 'shop']);
    assert.equal(await page.locator(`#outgoing tr[data-host="${inventoryHost}"] td.num`).first().innerText(), '3');
    await page.locator('#outgoing').screenshot({ path: join(ARTIFACTS, DASHBOARD, 'outgoing-and-graphs.png') });

    // The mouse wheel over a graph scrolls the page and leaves the graph's zoom alone.
    const zoom = (): Promise<number> => page.evaluate(() => (window.tracekitDebug.graphs.routes as { zoom(): number }).zoom());
    const zoomBefore = await zoom();
    const canvas = page.locator('#graph-routes .graph-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const scrolledBefore = await page.evaluate(() => window.scrollY);
    const box = await canvas.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // Towards whichever end the page can still scroll to.
    await page.mouse.wheel(0, scrolledBefore > 0 ? -200 : 200);
    await eventually(async () => ((await page.evaluate(() => window.scrollY)) !== scrolledBefore ? true : undefined), 'the page to scroll');
    assert.equal(await zoom(), zoomBefore);

    // A route node opens that route's traces.
    const at = await page.evaluate(() => {
      type Node = { data(k: string): string; renderedPosition(): { x: number; y: number } };
      const cy = window.tracekitDebug.graphs.routes as { nodes(): Node[] };
      const node = [...cy.nodes()].find((n) => n.data('label') === 'GET /checkout/:productId') as Node;
      return node.renderedPosition();
    });
    const box2 = await canvas.boundingBox();
    assert.ok(box2);
    await page.mouse.click(box2.x + at.x, box2.y + at.y);
    await eventually(async () => (new URL(page.url()).searchParams.get('view') === 'traces' ? true : undefined), 'the traces view');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('route'), '/checkout/:productId');
    await page.waitForSelector('table.traces tbody tr');
    for (const t of await page.locator('table.traces tbody tr').allInnerTexts()) assert.match(t, /GET \/checkout\/:productId/);
  });

  it('hostile names and attributes render as text and run nothing', async () => {
    const { page, watch } = await openPage(`/?service=${encodeURIComponent(HOSTILE)}&window=5m`);
    await ready(page);
    const routeCell = page.locator('table.routes td.route').first();
    assert.equal((await routeCell.innerText()).trim(), `GET ${HOSTILE}`);
    assert.ok((await page.locator('#service option').allInnerTexts()).includes(HOSTILE), 'the service name is an option, as text');
    await page.click('#errors .error-summary');
    assert.equal(await page.locator('#errors .error-type').innerText(), SCRIPT);
    assert.match(await page.locator('#errors .stack').innerText(), new RegExp(`at ${SCRIPT.replace(/[()/]/g, '\\$&')}`));
    await screenshot(page, DASHBOARD, 'hostile-overview');
    await page.click('#errors button[data-trace]');
    // Its exception event is a marker on the span's bar.
    await page.waitForSelector('.wf-row[data-span-id="0123456789abcdef"]');
    const marker = page.locator('.wf-row[data-span-id="0123456789abcdef"] [data-event-marker]');
    assert.equal(await marker.count(), 1);
    assert.equal(await marker.getAttribute('title'), 'exception');
    // The error's span is selected: its details are open beside the waterfall.
    const detail = await page.locator('.wf-panel [data-span-detail="0123456789abcdef"]').innerText();
    assert.ok(detail.includes(`note\t${SCRIPT}`) || detail.includes(`note ${SCRIPT}`), detail);
    assert.ok(detail.includes(`error: ${SCRIPT}`), 'status message as text');
    // Also the Express request to the hostile path: its trace shows the path as text.
    await page.goto(`${collector.url}/?service=shop&window=5m&view=traces&status=404`);
    // A request no route matched is named as the routes table names it, not "GET GET".
    assert.match(await page.locator('table.traces tbody tr >> nth=0').innerText(), /GET \(unmatched\)\s/);
    await page.click('table.traces tbody tr >> nth=0');
    await page.click('.wf-row >> nth=0');
    assert.match(await page.locator('.span-detail').innerText(), /url\.path\s+\/%3Cimg%20src=x%20onerror=alert\(1\)%3E/);
    await screenshot(page, DASHBOARD, 'hostile-trace');
    const dom = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, scripts: document.scripts.length }));
    assert.deepEqual(dom, { imgs: 0, scripts: 1 });
    assert.deepEqual(watch.dialogs, [], 'no dialog fired');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('AI assist sends the route snapshot straight to the configured provider, never to the collector', async () => {
    const key = 'sk-ant-test-KEY-1234567890';
    const { page, watch } = await openPage('/?service=shop&window=5m');
    const toCollector: { url: string; headers: Record<string, string> }[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(collector.url)) toCollector.push({ url: r.url(), headers: r.headers() });
    });
    await ready(page);
    const route = (await collector.api<Route[]>('routes?service=shop&window=5m')).find((r) => r.route === '/products/featured') as Route;
    await page.click('tr[data-route="GET /products/featured"] button[data-analyze]');
    // No provider yet: the settings open first.
    await page.waitForSelector('#assist-settings-form');
    await page.selectOption('select[name="provider"]', 'anthropic');
    await page.fill('input[name="apiKey"]', key);
    await page.fill('input[name="baseUrl"]', stub.origin);
    await page.click('#assist-settings-form button[type="submit"]');
    await page.waitForSelector('#assist-answer [data-state="answered"]');
    assert.equal(await page.locator('#assist-answer .answer').innerText(), STUB_ANSWER);
    await screenshot(page, DASHBOARD, 'assist-answer');

    const posts = stub.requests.filter((r) => r.method === 'POST');
    assert.equal(posts.length, 1);
    assert.equal(posts[0].path, '/v1/messages');
    assert.equal(posts[0].headers['x-api-key'], key);
    assert.equal(posts[0].headers['anthropic-version'], '2023-06-01');
    const body = JSON.parse(posts[0].body) as { model: string; messages: { role: string; content: string }[] };
    assert.equal(body.model, 'claude-sonnet-4-5');
    const prompt = body.messages[0].content;
    assert.match(prompt, /GET \/products\/featured/);
    const snapshot = JSON.parse(prompt.slice(prompt.indexOf('{'))) as { traffic: { requests: number }; latencyMs: { p95: number }; database: { queriesPerRequest: number; nPlusOneRequests: number; repeatedQuery: string } };
    assert.equal(snapshot.traffic.requests, route.requests);
    assert.equal(snapshot.latencyMs.p95, route.p95Ms);
    assert.equal(snapshot.database.queriesPerRequest, 13);
    assert.equal(snapshot.database.nPlusOneRequests, 3);
    assert.equal(snapshot.database.repeatedQuery, route.nPlusOneTemplate);

    // OpenAI: the key goes as a bearer token to the chat completions endpoint.
    await page.click('#assist-answer button');
    await page.click('#assist-settings');
    await page.selectOption('select[name="provider"]', 'openai');
    await page.fill('input[name="model"]', 'gpt-test');
    await page.click('#assist-settings-form button[type="submit"]');
    await page.click('tr[data-route="GET /checkout/:productId"] button[data-analyze]');
    await page.waitForSelector('#assist-answer [data-state="answered"]');
    const openai = stub.requests.filter((r) => r.method === 'POST')[1];
    assert.equal(openai.path, '/v1/chat/completions');
    assert.equal(openai.headers.authorization, `Bearer ${key}`);
    const openaiPrompt = (JSON.parse(openai.body) as { model: string; messages: { content: string }[] }).messages[0].content;
    assert.match(openaiPrompt, new RegExp(`"host": "${inventoryHost}"`), 'the outgoing calls of the route are in the snapshot');

    // The dialogs close on Escape and on a click on the backdrop, not on a click inside.
    await page.click('#assist-answer button');
    await page.click('#assist-settings');
    await page.click('#assist-settings-title');
    assert.equal(await page.locator('#assist-settings-form').count(), 1, 'a click inside keeps it open');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#assist-settings-form', { state: 'detached' });
    await page.click('#assist-settings');
    await page.mouse.click(5, 890);
    await page.waitForSelector('#assist-settings-form', { state: 'detached' });

    assert.ok(toCollector.length > 5);
    for (const r of toCollector) assert.ok(!r.url.includes(key) && !Object.values(r.headers).some((v) => v.includes(key)), `the key reached the collector: ${r.url}`);
    assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('tracekit.assist') ?? '{}').apiKey), key);
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('the Code view: the project tree, never-hit routes, a folder filter, the code inventory linked to error groups', async () => {
    interface Declared { method: string; route: string; file: string; line: number; neverHit: boolean; requests: number }
    const api = await collector.api<{ routes: Declared[]; neverHit: number }>('code/routes?service=shop&window=5m');
    const { page, watch } = await openPage('/?service=shop&window=5m&view=code');
    await page.addInitScript((origin: string) => localStorage.setItem('tracekit.assist', JSON.stringify({ provider: 'anthropic', apiKey: 'sk-test-code-view', model: '', baseUrl: origin })), stub.origin);
    await page.reload();
    await page.waitForSelector('#project-tree .tree-node');
    assert.equal(await page.locator('#never-hit-count strong').innerText(), String(api.neverHit));
    assert.equal(await page.locator('#route-count strong').innerText(), String(api.routes.length));
    // The demo's reports router (nested) is never called: its routes are marked.
    const reportsFile = 'fixtures/shop/routes/reports.cjs';
    const daily = page.locator('#declared-routes tr[data-route="GET /reports/daily/:day"]');
    assert.equal(await daily.getAttribute('data-never-hit'), 'true');
    assert.match(await daily.innerText(), /never hit/);
    assert.match(await daily.locator('td.site').innerText(), new RegExp(`${reportsFile.replace(/[./]/g, '\\$&')}:${lineOf(reportsFile, "daily.get('/:day'")}`));
    const products = page.locator('#declared-routes tr[data-route="GET /products"]');
    assert.equal(await products.getAttribute('data-never-hit'), 'false');
    const shownTotal = await page.locator('#declared-routes tbody tr').count();
    assert.equal(shownTotal, api.routes.length);
    await screenshot(page, DASHBOARD, 'code-view');

    // A folder narrows the routes (and the address bar keeps it).
    await page.click('#project-tree .tree-node[data-path="fixtures/shop/routes"]');
    await page.waitForFunction(() => document.querySelectorAll('#declared-routes tbody tr').length === 2);
    assert.deepEqual((await page.locator('#declared-routes tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-route')))).sort(), ['GET /reports/daily/:day', 'GET /reports/summary']);
    assert.match(page.url(), /folder=fixtures%2Fshop%2Froutes/);
    // Analyze on the folder sends that folder's routes, and only those.
    await page.click('#analyze-folder');
    await page.waitForSelector('#assist-answer [data-state="answered"]');
    const post = stub.requests.filter((r) => r.method === 'POST').at(-1);
    assert.ok(post);
    const prompt = (JSON.parse(post.body) as { messages: { content: string }[] }).messages[0].content;
    const snapshot = JSON.parse(prompt.slice(prompt.indexOf('{'))) as { folder: string; routes: { route: string; neverHit: boolean }[] };
    assert.equal(snapshot.folder, 'fixtures/shop/routes');
    assert.deepEqual(snapshot.routes.map((r) => r.route).sort(), ['GET /reports/daily/:day', 'GET /reports/summary']);
    assert.ok(snapshot.routes.every((r) => r.neverHit));
    await page.click('#assist-answer button');
    await page.click('#clear-folder');

    // The code inventory: the failing payment route's handler, linked to its error group and back.
    const row = page.locator('#code-inventory tbody tr', { hasText: 'fixtures/shop/app.cjs' }).first();
    await row.waitFor();
    const group = (await row.locator('button[data-group]').first().getAttribute('data-group')) as string;
    await row.locator('button[data-group]').first().click();
    await page.waitForSelector(`#errors li[data-fingerprint="${group}"] .error-detail`);
    assert.match(page.url(), new RegExp(`error=${group}`), 'the open error group is in the address bar');
    await page.click(`#errors li[data-fingerprint="${group}"] button[data-code]`);
    await page.waitForSelector('#code-inventory .note');
    const inventory = await collector.api<{ function: string; groups: string[] }[]>('code?service=shop&window=5m');
    const inGroup = inventory.filter((e) => e.groups.includes(group)).map((e) => e.function).sort();
    assert.deepEqual((await page.locator('#code-inventory tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-function')))).sort(), inGroup);

    // The overview's routes table shows where each route is declared.
    await page.goto(`${collector.url}/?service=shop&window=5m`);
    await ready(page);
    const productsSite = `fixtures/shop/app.cjs:${lineOf('fixtures/shop/app.cjs', "app.get('/products',")}`;
    assert.equal(await page.locator('tr[data-route="GET /products"] code.site-hint').innerText(), productsSite);
    // And the trace list, beside each request's route.
    await page.goto(`${collector.url}/?service=shop&window=5m&view=traces&route=${encodeURIComponent('/products')}`);
    await page.waitForSelector('table.traces tbody tr code.site-hint');
    assert.equal(await page.locator('table.traces tbody tr code.site-hint').first().innerText(), productsSite);
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('the Code view renders a hostile route template, handler and file name as text', async () => {
    const { page, watch } = await openPage(`/?service=${encodeURIComponent(HOSTILE)}&window=5m&view=code`);
    await page.waitForSelector('#declared-routes tbody tr');
    const row = page.locator('#declared-routes tbody tr').first();
    assert.match(await row.locator('td.route').innerText(), new RegExp(`^GET /never/${HOSTILE.replace(/[()/]/g, '\\$&')}`));
    assert.equal(await row.locator('td.site').innerText(), `src/${HOSTILE}/x.js:7`);
    assert.ok((await row.innerText()).includes(SCRIPT), 'the handler name as text');
    assert.ok((await page.locator('#project-tree').innerText()).includes(HOSTILE), 'the folder name as text');
    const dom = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, scripts: document.scripts.length }));
    assert.deepEqual(dom, { imgs: 0, scripts: 1 });
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.pageErrors, []);
    await screenshot(page, DASHBOARD, 'code-view-hostile');
  });

  it('the Logs view: records newest first, filtered by severity and text, each linked to its trace, shown in the waterfall', async () => {
    interface Log { timeMs: number; severity: number; body: string; traceId: string | null; spanId: string | null }
    const api = (await collector.api<{ logs: Log[] }>('logs?service=shop&window=5m&limit=300')).logs;
    const { page, watch } = await openPage('/?service=shop&window=5m&view=logs');
    await page.waitForSelector('#logs table.logs tbody tr');
    assert.deepEqual(await page.locator('#logs td.log-body').allInnerTexts(), api.map((l) => l.body), 'every record, newest first, as the API answers');
    assert.ok(api.some((l) => /^checkout \d+: \d+ in stock$/.test(l.body)), 'the checkout route logged');
    await screenshot(page, DASHBOARD, 'logs');
    // Severity: error and up.
    await page.selectOption('#logs select[name="severity"]', 'error');
    await page.waitForFunction(() => [...document.querySelectorAll('#logs tbody tr')].every((r) => Number(r.getAttribute('data-severity')) >= 17));
    assert.deepEqual(await page.locator('#logs td.log-body').allInnerTexts(), api.filter((l) => l.severity >= 17).map((l) => l.body));
    assert.match(page.url(), /severity=error/);
    // Text, kept in the address bar.
    await page.selectOption('#logs select[name="severity"]', '');
    await page.fill('#logs input[name="q"]', 'card ending');
    await page.click('#logs form button[type="submit"]');
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 2);
    assert.match(page.url(), /q=card\+ending/);
    // A record links to its trace, whose waterfall marks it on the span that wrote it.
    const record = api.find((l) => l.body.startsWith('charging the card')) as Log;
    await page.locator('#logs button[data-log-trace]').first().click();
    await page.waitForSelector('#waterfall');
    assert.match(page.url(), new RegExp(`trace=${record.traceId}`));
    const row = page.locator(`.wf-row[data-span-id="${record.spanId}"]`);
    assert.equal(await row.locator('[data-log-marker]').count(), 1, 'one marker on the span that logged');
    await row.click();
    assert.equal(await page.locator('.span-logs td.log-body').innerText(), record.body);
    await screenshot(page, DASHBOARD, 'waterfall-logs');
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(await watch.cspViolations(), []);
  });

  it('the Logs view: a text search that stopped early says how far it read and reads on from there', async () => {
    const { page, watch } = await openPage('/?service=shop&window=1h&view=logs&q=card%20ending');
    await page.waitForSelector('#logs-partial');
    // The first slice (the newest 15 minutes) holds both charges; the budget ended the search there.
    assert.equal(await page.locator('#logs tbody tr').count(), 2);
    const api = await collector.api<{ complete: boolean; searchedFromMs: number }>('logs?service=shop&window=1h&q=card%20ending');
    assert.equal(api.complete, false);
    await page.click('#logs-older');
    await page.waitForSelector('#logs .empty');
    assert.match(await page.locator('#logs .note').first().innerText(), /^Older records, up to /);
    await page.click('#logs .note button');
    await page.waitForFunction(() => document.querySelectorAll('#logs tbody tr').length === 2);
    assert.deepEqual(watch.pageErrors, []);
  });

  it('the Logs view renders a hostile message and attribute as text', async () => {
    const { page, watch } = await openPage(`/?service=${encodeURIComponent(HOSTILE)}&window=5m&view=logs`);
    await page.waitForSelector('#logs td.log-body');
    assert.equal(await page.locator('#logs td.log-body').first().innerText(), HOSTILE);
    assert.equal(await page.locator('#logs td.severity').first().innerText(), SCRIPT);
    assert.match(await page.locator('#logs td.log-attrs').first().innerText(), new RegExp(`note=${SCRIPT.replace(/[()/]/g, '\\$&')}`));
    const dom = await page.evaluate(() => ({ imgs: document.querySelectorAll('img').length, scripts: document.scripts.length }));
    assert.deepEqual(dom, { imgs: 0, scripts: 1 });
    assert.deepEqual(watch.dialogs, []);
    assert.deepEqual(watch.pageErrors, []);
  });

  it('keeps service and window in the URL; dragging across a chart narrows the whole page to that range, kept across reloads', async () => {
    const { page } = await openPage('/?service=shop&window=5m');
    await ready(page);
    await page.click('button[data-window="1h"]');
    assert.equal(new URL(page.url()).searchParams.get('window'), '1h');
    await page.reload();
    await ready(page);
    assert.equal(await page.locator('button[data-window="1h"]').getAttribute('aria-pressed'), 'true');
    assert.equal(await page.locator('#service').inputValue(), 'shop');

    await page.waitForFunction(() => window.tracekitDebug.charts['chart-traffic'] !== undefined);
    const box = await page.locator('#chart-traffic .u-over').boundingBox();
    assert.ok(box);
    // The traffic all came in the last minutes: drag from the middle of the hour to its end.
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width - 1, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await eventually(async () => (new URL(page.url()).searchParams.get('from') !== null ? true : undefined), 'a range in the URL');
    const url = new URL(page.url());
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    assert.ok(from > Date.now() - 3_600_000 && from < to && to <= Date.now() + 60_000, `range ${from}-${to}`);
    // The tiles show the range's numbers, and the chart spans the range.
    const overview = await collector.api<Overview>(`overview?service=shop&from=${from}&to=${to}`);
    assert.equal(overview.requests, TOTAL);
    await eventually(async () => (Number(await page.locator('[data-tile="rate"] .tile-value').getAttribute('data-value')) === overview.requestRate ? true : undefined), 'the rate tile over the range');
    // The tiles and the chart are fetched separately: the chart's series for the range may land after the tiles.
    const spansRange = async (): Promise<true | undefined> => {
      const xs = await page.evaluate(() => (window.tracekitDebug.charts['chart-traffic'] as { data: number[][] }).data[0]);
      return xs.length > 0 && xs[0] * 1000 > from && xs[xs.length - 1] * 1000 >= to - 1 ? true : undefined;
    };
    await eventually(spansRange, 'the chart shows the range');
    assert.match(await page.locator('#time-range').innerText(), /–/);
    assert.equal(await page.locator('button[data-window][aria-pressed="true"]').count(), 0, 'no preset is pressed while a range is shown');
    // No flicker: refreshes update the same elements in place instead of rebuilding the page.
    await page.evaluate(() => {
      (document.querySelector('[data-tile="p95"]') as HTMLElement & { marked?: boolean }).marked = true;
      (document.querySelector('#chart-traffic canvas') as HTMLElement & { marked?: boolean }).marked = true;
    });
    for (let i = 0; i < 2; i++) await page.waitForResponse((r) => r.url().includes('/api/series'));
    assert.deepEqual(await page.evaluate(() => [
      (document.querySelector('[data-tile="p95"]') as HTMLElement & { marked?: boolean }).marked,
      (document.querySelector('#chart-traffic canvas') as HTMLElement & { marked?: boolean }).marked,
    ]), [true, true], 'the tile and the chart canvas are the same elements after two refreshes');
    // The range follows to the traces view and survives a reload.
    await page.click('button[data-view="traces"]');
    await page.reload();
    await page.waitForSelector('table.traces tbody tr');
    assert.equal(new URL(page.url()).searchParams.get('from'), String(from));
    const traces = await collector.api<unknown[]>(`traces?service=shop&from=${from}&to=${to}&limit=200`);
    assert.equal(await page.locator('table.traces tbody tr').count(), traces.length);
    // Back to the overview; a double-click on a chart goes back to the window.
    await page.click('button[data-view="overview"]');
    await ready(page);
    await page.waitForFunction(() => window.tracekitDebug.charts['chart-traffic'] !== undefined);
    await page.dblclick('#chart-traffic .u-over');
    await eventually(async () => (new URL(page.url()).searchParams.get('from') === null ? true : undefined), 'the range cleared');
    assert.equal(await page.locator('button[data-window="1h"]').getAttribute('aria-pressed'), 'true');
  });

  it('the range picker applies a typed from/to; a preset clears it', async () => {
    const { page } = await openPage('/?service=shop&window=1m');
    await ready(page);
    await page.click('#range-open');
    // The whole test run, to the second, in the browser's local time.
    const to = Math.ceil(Date.now() / 1000) * 1000 + 60_000;
    const from = to - 20 * 60_000;
    const local = (ms: number): Promise<string> => page.evaluate((t) => {
      const d = new Date(t);
      const two = (n: number): string => String(n).padStart(2, '0');
      return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
    }, ms);
    await page.fill('#range-form input[name="from"]', await local(from));
    await page.fill('#range-form input[name="to"]', await local(to));
    await page.click('#range-form button[type="submit"]');
    await eventually(async () => (new URL(page.url()).searchParams.get('from') === String(from) ? true : undefined), 'the typed range in the URL');
    assert.equal(new URL(page.url()).searchParams.get('to'), String(to));
    await eventually(async () => ((await page.locator('[data-tile="rate"] .tile-hint').innerText()).startsWith(`${TOTAL} in the window`) ? true : undefined), 'every request in the typed range');
    // A "to" before "from" is refused with a reason, and the range stays.
    await page.click('#range-open');
    await page.fill('#range-form input[name="to"]', await local(from - 60_000));
    await page.click('#range-form button[type="submit"]');
    assert.match(await page.locator('#range-form .error-text').innerText(), /before/);
    assert.equal(new URL(page.url()).searchParams.get('to'), String(to));
    await page.click('button[data-window="5m"]');
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('from'), null);
    assert.equal(url.searchParams.get('window'), '5m');
    assert.equal(await page.locator('#time-range').count(), 0);
  });

  it('a service with nothing in the window says so, and nothing about server spans', async () => {
    const { page } = await openPage('/?service=no-such-service&window=5m');
    await ready(page);
    assert.equal(await page.locator('#no-requests').innerText(), 'No requests from no-such-service in this window.');
    assert.doesNotMatch(await page.locator('main, body').first().innerText(), /server spans/);
  });

  it('at 1024 pixels every tile\'s value stays on one line', async () => {
    const { page } = await openPage('/?service=shop&window=5m', { width: 1024 });
    await ready(page);
    const lines = await page.locator('.tile-value').evaluateAll((els) => els.map((el) => {
      const range = document.createRange();
      range.selectNodeContents(el);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return { text: el.textContent ?? '', lines: tops.size };
    }));
    assert.ok(lines.some((l) => /iB$/.test(l.text)), 'the memory tile is there');
    for (const l of lines) assert.equal(l.lines, 1, `"${l.text}" on one line`);

    // Route names wrap after a "/" or a space, never inside a word.
    const breaks = await page.locator('table.routes td.route').evaluateAll((cells) => cells.flatMap((cell) => {
      const out: string[] = [];
      let lastTop: number | undefined;
      let prev = '';
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
        if (node.parentElement?.closest('.badge, .site-hint') !== null) continue;
        const text = node.textContent ?? '';
        for (let i = 0; i < text.length; i++) {
          const range = document.createRange();
          range.setStart(node, i);
          range.setEnd(node, i + 1);
          const top = Math.round(range.getBoundingClientRect().top);
          if (lastTop !== undefined && top > lastTop + 2) out.push(`${prev}|${text[i]} in ${cell.textContent ?? ''}`);
          lastTop = top;
          prev = text[i];
        }
      }
      return out;
    }));
    for (const b of breaks) assert.match(b, /^[/ ]\|/, `a route wrapped inside a word: ${b}`);
  });

  it('draws a series with one busy bucket and none around it (6h and 24h windows) as dots', async () => {
    for (const span of ['6h', '24h']) {
      const { page } = await openPage(`/?service=shop&window=${span}`);
      await ready(page);
      await page.waitForFunction(() => window.tracekitDebug.charts['chart-latency'] !== undefined);
      await page.waitForTimeout(200);
      const drawn = await page.evaluate(() => {
        type Plot = { data: (number | null)[][]; series: { stroke: (u: unknown, i: number) => string }[]; ctx: CanvasRenderingContext2D };
        const u = window.tracekitDebug.charts['chart-latency'] as Plot;
        const p50 = u.data[1];
        const values = p50.filter((v) => v !== null).length;
        const isolated = p50.filter((v, i) => v !== null && p50[i - 1] == null && p50[i + 1] == null).length;
        // The p50 colour, as the canvas spells it, then the pixels painted in it.
        const probe = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
        probe.fillStyle = u.series[1].stroke(u, 1);
        const hex = probe.fillStyle;
        const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16));
        const { width, height } = u.ctx.canvas;
        const px = u.ctx.getImageData(0, 0, width, height).data;
        let painted = 0;
        for (let i = 0; i < px.length; i += 4) {
          if (px[i + 3] > 200 && Math.abs(px[i] - r) < 24 && Math.abs(px[i + 1] - g) < 24 && Math.abs(px[i + 2] - b) < 24) painted++;
        }
        const labels = (u as unknown as { axes: { _values: string[] }[] }).axes[0]._values;
        return { values, isolated, painted, labels };
      });
      // The charts keep the tables' 24-hour clock.
      assert.ok(drawn.labels.length > 1, `${span}: x labels`);
      for (const l of drawn.labels) assert.match(l, /^\d{2}:\d{2}(:\d{2})?$/, `${span}: x label ${l}`);
      assert.ok(drawn.values >= 1, `${span}: the window has data`);
      assert.ok(drawn.values <= 2, `${span}: all the traffic falls in one or two buckets (${drawn.values})`);
      assert.ok(drawn.painted >= 12, `${span}: the p50 is drawn (${drawn.painted} pixels, ${drawn.isolated} lone values)`);
    }
  });

  it('is readable in dark mode and switches theme on demand', async () => {
    const { page } = await openPage('/?service=shop&window=5m', { colorScheme: 'dark' });
    await ready(page);
    const bg = (): Promise<string> => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(await bg(), 'rgb(15, 18, 22)');
    assert.equal(await page.evaluate(() => getComputedStyle(document.querySelector('.tile-value') as Element).color), 'rgb(230, 233, 238)');
    await screenshot(page, DASHBOARD, 'overview-dark');
    await page.click('text=theme: auto');
    assert.equal(await bg(), 'rgb(246, 247, 249)', 'light chosen over the system preference');
    await page.reload();
    await ready(page);
    assert.equal(await bg(), 'rgb(246, 247, 249)', 'the choice is remembered');
  });
});

describe('dashboard against a collector with an API key', () => {
  it('asks for the key once, then shows the data', async () => {
    const collector = await startCollectorProcess({ args: ['--api-key', 'dash-key-42'] });
    const browser = await launchBrowser();
    try {
      const now = BigInt(Date.now()) * 1_000_000n;
      const body = {
        resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'keyed' } }] }, scopeSpans: [{ spans: [{
          traceId: '11112222333344445555666677778888', spanId: '1111222233334444', name: 'GET /keyed', kind: 2,
          startTimeUnixNano: String(now - 2_000_000n), endTimeUnixNano: String(now),
          attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.route', value: { stringValue: '/keyed' } }],
        }] }] }],
      };
      const res = await fetch(`${collector.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'dash-key-42' }, body: JSON.stringify(body) });
      assert.equal(res.status, 200);
      const page = await browser.newPage();
      await page.goto(`${collector.url}/?service=keyed&window=5m`);
      await page.waitForSelector('form.key-prompt');
      assert.equal(await page.locator('table.routes').count(), 0);
      await page.fill('input[name="collectorKey"]', 'dash-key-42');
      await page.click('form.key-prompt button');
      await page.waitForSelector('tr[data-route="GET /keyed"]');
      assert.equal(await page.locator('form.key-prompt').count(), 0);
      await screenshot(page, DASHBOARD, 'api-key');
    } finally {
      await browser.close();
      await collector.stop();
    }
  });
});
