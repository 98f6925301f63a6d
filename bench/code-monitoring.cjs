'use strict';
// Live debugging's costs (docs/debugging.md): a captureSnapshot call with its breakpoint off,
// and how long a file:line breakpoint stops the app per hit (p50, p99), against a real
// collector, by the app's own clock around the line (the handler returns it and the snapshot
// holds its start, so each hit is matched to its request); beside it, what a pause alone costs
// in the same app. Throughput with code monitoring on is measured by bench/paired.cjs (see
// bench/README.md).
//
// Usage: node bench/code-monitoring.cjs [--hits 200] [--node PATH]
const { execFileSync, spawn } = require('node:child_process');
const { mkdtempSync, readFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { option } = require('./args.cjs');

const ROOT = join(__dirname, '..');
const NODE = option('node', process.execPath);
const HITS = Number(option('hits', 200));

function start(args, env, pattern) {
  const child = spawn(args[0], args.slice(1), { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`did not start: ${out}`)), 20000);
    child.stdout.on('data', () => {
      const m = pattern.exec(out);
      if (m) { clearTimeout(t); resolve({ child, match: m }); }
    });
  });
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((xs.length - 1) * p))];

async function main() {
  const db = join(mkdtempSync(join(tmpdir(), 'tk-bench-')), 's.duckdb');
  const col = await start([process.execPath, join(ROOT, 'bin', 'tracekit'), 'start', '--port', '0', '--db', db], {}, /listening on (http:\/\/\S+)/);
  const url = col.match[1];
  const env = { TRACEKIT_ENDPOINT: url, TRACEKIT_CODE_MONITORING: 'true', TRACEKIT_SERVICE_NAME: 'bench-debug' };
  try {
    const call = JSON.parse(execFileSync(NODE, [join(ROOT, 'bench', 'snapshot-call.cjs')], { cwd: ROOT, env: { ...process.env, ...env, NODE_OPTIONS: '--import tracekit-node/register' } }).toString().trim().split('\n').pop());
    const app = await start([NODE, '--import', 'tracekit-node/register', join(ROOT, 'fixtures', 'debug', 'app.cjs')], env, /LISTENING (\d+)/);
    const appUrl = `http://127.0.0.1:${app.match[1]}`;
    const lines = readFileSync(join(ROOT, 'fixtures', 'debug', 'handlers.cjs'), 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('// @bp timed')) + 1;
    const res = await fetch(`${url}/api/debug/breakpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'bench-debug', file: 'fixtures/debug/handlers.cjs', line, intervalMs: 100, maxHits: 1000 }) });
    const bp = await res.json();
    const deadline = Date.now() + 120_000;
    let snaps = [];
    /** The handler's startedMs → how long it was stopped at the line, by its own clock. */
    const stopped = new Map();
    while (snaps.length < HITS && Date.now() < deadline) {
      const r = await fetch(`${appUrl}/timed-orders/5`).then((res) => res.json());
      stopped.set(r.startedMs, r.stoppedMs);
      await new Promise((r) => setTimeout(r, 20));
      if (Math.random() < 0.05) snaps = await (await fetch(`${url}/api/debug/snapshots?breakpoint=${bp.id}&limit=1000`)).json();
    }
    await new Promise((r) => setTimeout(r, 1500));
    snaps = await (await fetch(`${url}/api/debug/snapshots?breakpoint=${bp.id}&limit=1000`)).json();
    // The floor under any capture that pauses: a `debugger` statement in a handler of the same
    // app, resumed by the worker as soon as it hears of it (the session is on while a breakpoint is set).
    const paused = [];
    for (let i = 0; i < 100; i++) {
      paused.push((await fetch(`${appUrl}/debugger-statement`).then((res) => res.json())).stoppedMs);
      await new Promise((r) => setTimeout(r, 10));
    }
    const appSide = [];
    const held = [];
    let pausedHits = 0;
    for (const s of snaps) {
      const { body } = await (await fetch(`${url}/api/debug/snapshots/${s.id}`)).json();
      if (body.pauseMs !== undefined) pausedHits++;
      else held.push(body.heldMs);
      const at = stopped.get(body.variables.find(([name]) => name === 'startedMs')?.[1].value);
      if (at !== undefined) appSide.push(at);
    }
    const version = execFileSync(NODE, ['-p', 'process.version']).toString().trim();
    const dist = (xs) => {
      xs.sort((a, b) => a - b);
      return `p50 ${pct(xs, 0.5).toFixed(3)} ms, p99 ${pct(xs, 0.99).toFixed(3)} ms, max ${xs[xs.length - 1].toFixed(3)} ms`;
    };
    console.log(`Node ${version}`);
    console.log(`captureSnapshot, breakpoint off: ${call.snapshotNs.toFixed(1)} ns a call (an empty function call: ${call.emptyNs.toFixed(1)} ns)`);
    console.log(`file:line breakpoint on a route handler's line (8 variables, 2 levels), ${snaps.length} hits, ${pausedHits} of them paused:`);
    console.log(`  the app stopped at the line, by its own clock (${appSide.length} hits): ${dist(appSide)}`);
    console.log(`  capture time in the app's thread (hits without a pause): ${dist(held)}`);
    console.log(`a pause alone (a debugger statement resumed at once), by the app's clock: ${dist(paused)}`);
    app.child.kill();
  } finally {
    col.child.kill();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
