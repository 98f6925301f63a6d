'use strict';
// `npm run demo`: the collector, the shop fixture and its inventory service (both under the
// agent, as a user runs them), and a traffic generator with a progress line; then it prints
// the dashboard's address. Ctrl-C stops everything and removes the demo's store.
//
// Usage: node scripts/demo.cjs [--port 9876] [--rate 20] [--duration SECONDS] [--db PATH]
// Needs PostgreSQL and MySQL/MariaDB on 127.0.0.1 (see fixtures/shop/app.cjs).
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? fallback : args[i + 1];
};
const PORT = opt('port', process.env.TRACEKIT_COLLECTOR_PORT || '9876');
const RATE = Math.max(1, Number(opt('rate', '20')));
const DURATION_S = Number(opt('duration', '0'));
const tempDir = opt('db') === undefined ? mkdtempSync(join(tmpdir(), 'tracekit-demo-')) : undefined;
const DB = opt('db', tempDir && join(tempDir, 'demo.duckdb'));
const tty = process.stdout.isTTY === true;

/** The traffic mix: path (or a function of the request number), relative weight. */
const MIX = [
  ['/', 20],
  ['/products', 18],
  ['/products/featured', 8],
  [(n) => `/orders/${1 + (n % 3)}`, 14],
  ['/orders/999', 3],
  [(n) => `/checkout/${1 + (n % 12)}`, 16],
  ['/payments/charge', 4],
  ['/no/such/page', 2],
];
const TOTAL_WEIGHT = MIX.reduce((s, [, w]) => s + w, 0);

const children = [];
let stopping = false;

function log(line) {
  process.stdout.write(`${tty ? '\r\x1b[K' : ''}${line}\n`);
}

/** Starts a child and resolves with what its ready line matched. */
function start(name, command, childArgs, env, ready) {
  return new Promise((resolve, reject) => {
    const proc = spawn(command, childArgs, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const entry = { name, proc, out: '', err: '', ready: false };
    children.push(entry);
    proc.stdout.on('data', (c) => {
      entry.out += c;
      const m = entry.ready ? null : ready.exec(entry.out);
      if (m) {
        entry.ready = true;
        resolve(m[1]);
      }
    });
    proc.stderr.on('data', (c) => {
      entry.err += c;
      if (entry.err.length > 20000) entry.err = entry.err.slice(-10000);
    });
    proc.on('exit', (code, signal) => {
      if (!entry.ready) {
        reject(new Error(`${name} exited (${signal ?? code}) before it was ready:\n${entry.err.trim()}`));
      } else if (!stopping) {
        log(`${name} stopped unexpectedly (${signal ?? code}):\n${entry.err.trim().split('\n').slice(-10).join('\n')}`);
        void shutdown(1);
      }
    });
  });
}

async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  clearInterval(trafficTimer);
  clearInterval(progressTimer);
  // Apps first (SIGTERM lets the agent flush its last spans), then the collector.
  const byRole = (names) => children.filter((c) => names.includes(c.name) && c.proc.exitCode === null && c.proc.signalCode === null);
  for (const group of [['shop', 'inventory'], ['collector']]) {
    await Promise.all(
      byRole(group).map(
        (c) =>
          new Promise((res) => {
            const force = setTimeout(() => c.proc.kill('SIGKILL'), 5000);
            c.proc.once('exit', () => {
              clearTimeout(force);
              res();
            });
            c.proc.kill('SIGTERM');
          }),
      ),
    );
  }
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  log('demo stopped');
  process.exit(code);
}

let trafficTimer;
let progressTimer;
const stats = { sent: 0, answered: 0, serverErrors: 0, failed: 0, startedMs: 0 };

function pick(n) {
  let r = (n * 7919) % TOTAL_WEIGHT;
  for (const [path, weight] of MIX) {
    if (r < weight) return typeof path === 'function' ? path(n) : path;
    r -= weight;
  }
  return '/';
}

function drive(shopUrl) {
  stats.startedMs = Date.now();
  trafficTimer = setInterval(() => {
    const path = pick(stats.sent);
    stats.sent++;
    fetch(shopUrl + path).then(
      async (res) => {
        await res.arrayBuffer();
        stats.answered++;
        if (res.status >= 500) stats.serverErrors++;
      },
      () => stats.failed++,
    );
    if (DURATION_S > 0 && Date.now() - stats.startedMs >= DURATION_S * 1000) void shutdown(0);
  }, 1000 / RATE);
  // Short enough for an 80-column terminal (the dashboard's address was printed above), and
  // cut to the terminal's width, so the rewritten line never wraps into a new one.
  const line = () => {
    const s = (Date.now() - stats.startedMs) / 1000;
    return `traffic: ${stats.sent} requests, ${(stats.answered / Math.max(1, s)).toFixed(1)}/s, ${stats.serverErrors} 5xx on purpose, ${stats.failed} failed, ${s.toFixed(0)} s`;
  };
  const fit = (text) => {
    const width = process.stdout.columns || 80;
    return text.length < width ? text : `${text.slice(0, Math.max(1, width - 2))}…`;
  };
  // A terminal gets one line rewritten every second; a log gets a new line every 5 s.
  let ticks = 0;
  progressTimer = setInterval(() => {
    ticks++;
    if (tty) process.stdout.write(`\r\x1b[K${fit(line())}`);
    else if (ticks % 5 === 0) process.stdout.write(`${line()}\n`);
  }, 1000);
}

async function main() {
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  const node = process.execPath;
  const collectorUrl = await start('collector', node, [join(ROOT, 'bin', 'tracekit'), 'start', '--port', PORT, '--db', DB, '--retention', '6h'], {}, /listening on (http:\/\/\S+)/);
  const agentEnv = { TRACEKIT_ENDPOINT: collectorUrl, TRACEKIT_METRICS_INTERVAL: '2000' };
  const inventoryPort = await start('inventory', node, ['--import', 'tracekit-node/register', join(ROOT, 'fixtures', 'shop', 'inventory.cjs')], { ...agentEnv, TRACEKIT_SERVICE_NAME: 'inventory' }, /LISTENING (\d+)/);
  const inventoryUrl = `http://127.0.0.1:${inventoryPort}`;
  const shopPort = await start('shop', node, ['--import', 'tracekit-node/register', join(ROOT, 'fixtures', 'shop', 'app.cjs')], { ...agentEnv, TRACEKIT_SERVICE_NAME: 'shop', INVENTORY_URL: inventoryUrl }, /LISTENING (\d+)/).catch((err) => {
    throw new Error(`${err.message}\nThe shop needs PostgreSQL (postgres@127.0.0.1:5432, database test) and MySQL or MariaDB (root@127.0.0.1:3306, database test).`);
  });
  const shopUrl = `http://127.0.0.1:${shopPort}`;
  const dashboardUrl = `${collectorUrl}/?service=shop&window=5m`;
  log(`tracekit demo running on Node ${process.versions.node}`);
  log(`  processes: ${children.map((c) => `${c.name} ${c.proc.pid}`).join(', ')}`);
  log(`  shop:      ${shopUrl} (Express, PostgreSQL, MySQL)`);
  log(`  inventory: ${inventoryUrl} (called by the shop)`);
  log(`  store:     ${DB}${tempDir ? ' (removed on exit)' : ''}`);
  log(`  dashboard: ${dashboardUrl}`);
  log(`Sending about ${RATE} requests/s. Press Ctrl-C to stop everything.`);
  drive(shopUrl);
}

main().catch((err) => {
  process.stderr.write(`demo failed: ${err.message}\n`);
  void shutdown(1);
});
