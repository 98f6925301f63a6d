'use strict';
// `npm run docs:screenshots`: the README's dashboard pictures, taken from the demo. Runs
// scripts/demo.cjs (collector, shop, inventory, traffic), waits for some traffic, then opens
// each view in Debian's Chromium and writes docs/images/<name>.png.
// Needs what the demo needs (PostgreSQL, MariaDB) and /usr/bin/chromium (or TRACEKIT_CHROMIUM).
// Usage: node scripts/docs-screenshots.cjs [--port 9877] [--warmup SECONDS]
const { spawn } = require('node:child_process');
const { mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { chromium } = require('playwright-core');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const PORT = opt('port', '9877');
const WARMUP_S = Number(opt('warmup', '20'));
const OUT = join(ROOT, 'docs', 'images');

/**
 * The views pictured: file name, address (relative to the dashboard), what to wait for, then
 * optionally clicks to make (`act`, each waited for by its selector) and an element to crop to.
 */
const SHOTS = [
  { name: 'overview', path: '/?service=shop&window=5m', ready: 'html[data-ready="true"]' },
  {
    name: 'trace-search',
    path: `/?view=traces&service=shop&window=5m&attrs=${encodeURIComponent('url.path~/stock/')}`,
    ready: '#trace-scatter circle',
    act: [['table.traces tbody tr', '.wf-row'], ['.wf-row[aria-level="3"]', '.wf-panel']],
  },
  { name: 'queries', path: '/?view=queries&window=5m', ready: 'table.queries tbody tr' },
  { name: 'route', path: `/?view=route&service=shop&method=GET&route=${encodeURIComponent('/products/featured')}&window=5m`, ready: '#route-histogram' },
  { name: 'runtime', path: '/?view=runtime&window=5m', ready: 'table.processes tbody tr' },
  { name: 'service-map', path: '/?view=map&window=5m', ready: '#graph-map canvas' },
  { name: 'errors', path: '/?service=shop&window=5m', ready: '#errors .error-summary', act: [['#errors .error-summary', '#errors .stack']], crop: '#errors' },
  { name: 'code-view', path: '/?service=shop&window=5m&view=code', ready: '#declared-routes tr[data-never-hit="true"]' },
];

async function main() {
  const demo = spawn(process.execPath, [join(__dirname, 'demo.cjs'), '--port', PORT, '--rate', '20'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise((resolve, reject) => {
    demo.stdout.on('data', (c) => {
      out += c;
      const m = /dashboard: (http:\/\/\S+?)\//.exec(out);
      if (m) resolve(m[1]);
    });
    demo.on('exit', (code) => reject(new Error(`the demo exited (${code}):\n${out}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.TRACEKIT_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    process.stdout.write(`demo at ${url}; ${WARMUP_S} s of traffic first\n`);
    await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
    mkdirSync(OUT, { recursive: true });
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    for (const shot of SHOTS) {
      await page.goto(url + shot.path);
      await page.waitForSelector(shot.ready, { timeout: 30000 });
      // One more refresh, so the figures are settled.
      await page.waitForTimeout(2500);
      for (const [click, then] of shot.act ?? []) {
        await page.locator(click).first().click();
        await page.waitForSelector(then, { timeout: 10000 });
      }
      // A click may have scrolled: a full-page picture taken scrolled shows the sticky top bar mid-page.
      await page.evaluate(() => window.scrollTo(0, 0));
      const file = join(OUT, `${shot.name}.png`);
      if (shot.crop !== undefined) await page.locator(shot.crop).screenshot({ path: file });
      else await page.screenshot({ path: file, fullPage: true });
      process.stdout.write(`wrote ${file}\n`);
    }
  } finally {
    await browser.close();
    demo.kill('SIGINT');
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
