'use strict';
// First render of each dashboard view in Chromium: from navigation start to the moment the
// view first shows data (the page marks it: tracekitDebug.firstRenderMs, ui/src/lib/debug.ts),
// with 1M spans stored (bench/collector-queries.cjs's fill: 3 services, 20 routes, 24 h) and,
// interleaved in the same run, with an empty store, so the cost of the data shows apart from
// the cost of the page. Every round is a new browser context (cold cache). Prints medians in ms.
//
// Usage: npm run build && node bench/dashboard-render.cjs [--spans 1000000] [--runs 7]
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { chromium } = require('playwright-core');
const { startCollector } = require('./collector-common.cjs');
const { fill } = require('./collector-queries.cjs');

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(`--${name}`); return i === -1 ? fallback : args[i + 1]; };
const SPANS = Number(opt('spans', '1000000'));
const RUNS = Number(opt('runs', '7'));
const VIEWS = [
  ['overview, one service, 15m', '?service=svc-0&window=15m'],
  ['overview, one service, 24h', '?service=svc-0&window=24h'],
  ['overview, all services, 24h', '?window=24h'],
  ['traces, one service, 24h', '?view=traces&service=svc-0&window=24h'],
  ['traces by attribute, all services, 24h', `?view=traces&window=24h&attrs=${encodeURIComponent('url.path~/route/77')}`],
  ['service map, 24h', '?view=map&window=24h'],
  ['queries, all services, 24h', '?view=queries&window=24h'],
  ['route page, 24h', `?view=route&service=svc-0&method=GET&route=${encodeURIComponent('/route/3')}&window=24h`],
  ['runtime, all services, 24h', '?view=runtime&window=24h'],
];

async function firstRender(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('html[data-ready="true"]', { timeout: 30000 });
    return await page.evaluate(() => window.tracekitDebug.firstRenderMs);
  } finally {
    await context.close();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tk-render-'));
  const filled = await fill(join(dir, 'full.duckdb'), SPANS);
  console.error(`filled ${filled.spans} spans in ${filled.seconds}s`);
  const full = await startCollector({ dbPath: join(dir, 'full.duckdb') });
  const empty = await startCollector({ dbPath: join(dir, 'empty.duckdb') });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  try {
    const rows = [];
    for (const [name, query] of VIEWS) {
      const times = { full: [], empty: [] };
      // One warm-up each (DuckDB's first scan of a table is colder than the rest), then interleaved rounds.
      await firstRender(browser, `${full.url}/${query}`);
      await firstRender(browser, `${empty.url}/${query}`);
      for (let i = 0; i < RUNS; i++) {
        times.full.push(await firstRender(browser, `${full.url}/${query}`));
        times.empty.push(await firstRender(browser, `${empty.url}/${query}`));
      }
      const row = { view: name, full: median(times.full), empty: median(times.empty), worst: Math.max(...times.full) };
      rows.push(row);
      console.error(JSON.stringify(row));
    }
    console.log(`| view (${(SPANS / 1e6).toFixed(0)}M spans stored) | first render, median (ms) | slowest of ${RUNS} (ms) | same view, empty store (ms) |`);
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| ${r.view} | ${r.full.toFixed(0)} | ${r.worst.toFixed(0)} | ${r.empty.toFixed(0)} |`);
  } finally {
    await browser.close();
    await full.stop();
    await empty.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
