'use strict';
// Live debugging's costs (docs/debugging.md): a captureSnapshot call with its breakpoint off,
// and how long a file:line breakpoint pauses the app per hit (p50, p99), read from the
// snapshots' own pauseMs, against a real collector. Throughput with code monitoring on and no
// breakpoint is measured by bench/paired.cjs (see bench/README.md).
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
    const line = lines.findIndex((l) => l.includes('// @bp order')) + 1;
    const res = await fetch(`${url}/api/debug/breakpoints`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ service: 'bench-debug', file: 'fixtures/debug/handlers.cjs', line, intervalMs: 100, maxHits: 1000 }) });
    const bp = await res.json();
    const deadline = Date.now() + 120_000;
    let snaps = [];
    while (snaps.length < HITS && Date.now() < deadline) {
      await fetch(`${appUrl}/orders/5`).then((r) => r.text());
      await new Promise((r) => setTimeout(r, 20));
      if (Math.random() < 0.05) snaps = await (await fetch(`${url}/api/debug/snapshots?breakpoint=${bp.id}&limit=1000`)).json();
    }
    await new Promise((r) => setTimeout(r, 1500));
    snaps = await (await fetch(`${url}/api/debug/snapshots?breakpoint=${bp.id}&limit=1000`)).json();
    const pauses = [];
    for (const s of snaps) pauses.push((await (await fetch(`${url}/api/debug/snapshots/${s.id}`)).json()).body.pauseMs);
    pauses.sort((a, b) => a - b);
    const version = execFileSync(NODE, ['-p', 'process.version']).toString().trim();
    console.log(`Node ${version}`);
    console.log(`captureSnapshot, breakpoint off: ${call.snapshotNs.toFixed(1)} ns a call (an empty function call: ${call.emptyNs.toFixed(1)} ns)`);
    console.log(`file:line breakpoint, locals of a route handler (9 variables, 2 levels), ${pauses.length} hits: pause p50 ${pct(pauses, 0.5).toFixed(3)} ms, p99 ${pct(pauses, 0.99).toFixed(3)} ms, max ${pauses[pauses.length - 1].toFixed(3)} ms`);
    app.child.kill();
  } finally {
    col.child.kill();
  }
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
