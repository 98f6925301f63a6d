'use strict';
// Bytes allocated per request on the app's main thread, by allocating function: V8's sampling
// heap profiler (bench/alloc-probe.cjs) over a wrk run, with the objects GC collected kept in
// the profile. Each variant runs in turn, pinned like the other scripts (the app on CPU 0, wrk
// and the sink on CPU 1). Rows are grouped by function and file; the agent's own rows are
// those under the preload's `dist` directory.
//
// Usage: node bench/allocations.cjs [--node PATH] [--path /] [--seconds 4] [--warmup 3] [--top 25]
//          [--variant NAME=PRELOAD[,KEY=VALUE...] ...  default: baseline=, tracekit=tracekit-node/register]
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join, resolve } = require('node:path');
const { startListening, stopProcess, wrkServed, ROOT } = require('./processes.cjs');
const { option: opt, variantOptions } = require('./args.cjs');

const NODE = opt('node', process.execPath);
const PATH = opt('path', '/');
const SECONDS = Number(opt('seconds', 4));
const WARMUP = Number(opt('warmup', 3));
const TOP = Number(opt('top', 25));
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'baseline', env: {} }, { name: 'tracekit', preload: 'tracekit-node/register', env: {} });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// wrkServed refuses a run with error responses: an error path allocates very differently
// (error formatting, exception events).
const wrk = (url, seconds) => wrkServed(url, seconds, 50);

async function waitFor(app, text, count) {
  for (let i = 0; i < 200; i++) {
    if (app.err().split(text).length - 1 >= count) return;
    await sleep(25);
  }
  throw new Error(`no "${text}" from the app:\n${app.err().slice(-2000)}`);
}

/** The directory whose files count as the agent's: where the preload resolves, one level above `agent/`. */
function agentDir(preload) {
  if (!preload) return undefined;
  const file = preload.startsWith('.') || preload.startsWith('/') ? resolve(ROOT, preload) : require.resolve(preload, { paths: [ROOT] });
  return dirname(dirname(file));
}

/** selfSize summed per (function, file:line) over the whole call tree. */
function bySite(profile) {
  const sites = new Map();
  const walk = (node) => {
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^file:\/\//, '')}:${f.lineNumber + 1}`;
    sites.set(key, (sites.get(key) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(profile.head);
  return sites;
}

async function measure(variant, sinkUrl, downstreamUrl, dir) {
  const file = join(dir, `${variant.name}.heapprofile`);
  const node = ['taskset', '-c', '0', NODE, '--require', './bench/alloc-probe.cjs', ...(variant.preload ? ['--import', variant.preload] : []), 'fixtures/bench-express.cjs'];
  const env = { TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', DOWNSTREAM_URL: downstreamUrl, ALLOC_PROFILE: file, ...variant.env };
  const app = await startListening(node, env);
  try {
    const url = `http://127.0.0.1:${app.port}${PATH}`;
    await wrk(url, WARMUP);
    app.child.kill('SIGUSR2');
    await waitFor(app, 'ALLOC-PROBE started', 1);
    const requests = await wrk(url, SECONDS);
    app.child.kill('SIGUSR2');
    await waitFor(app, 'ALLOC-PROBE written', 1);
    return { requests, sites: bySite(JSON.parse(readFileSync(file, 'utf8'))) };
  } finally {
    await stopProcess(app.child);
  }
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tracekit-alloc-'));
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  // What the /fetch route calls.
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const results = [];
  try {
    for (const v of variants) results.push({ v, ...(await measure(v, `http://127.0.0.1:${sink.port}`, `http://127.0.0.1:${downstream.port}/`, dir)) });
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
    rmSync(dir, { recursive: true, force: true });
  }
  const version = execFileSync(NODE, ['--version']).toString().trim();
  console.log(`\nfixtures/bench-express.cjs ${PATH}, Node ${version.slice(1)}, ${SECONDS} s of wrk -c50 after ${WARMUP} s; bytes allocated per request by function (sampled every 512 bytes)\n`);
  const perRequest = (r, key) => (r.sites.get(key) ?? 0) / r.requests;
  console.log(`| | ${results.map((r) => r.v.name).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---:').join('|')}|`);
  const total = (r) => [...r.sites.values()].reduce((a, b) => a + b, 0) / r.requests;
  console.log(`| **total** | ${results.map((r) => `**${total(r).toFixed(0)}**`).join(' | ')} |`);
  for (const r of results) {
    const own = agentDir(r.v.preload);
    if (own === undefined) continue;
    let agent = 0;
    for (const [key, bytes] of r.sites) if (key.includes(own)) agent += bytes;
    console.log(`| ${r.v.name}: in the agent's own functions | ${results.map((x) => (x === r ? (agent / r.requests).toFixed(0) : '')).join(' | ')} |`);
  }
  const keys = new Set(results.flatMap((r) => [...r.sites.keys()]));
  const first = results[0];
  const rows = [...keys].map((k) => ({ k, values: results.map((r) => perRequest(r, k)) }));
  rows.sort((a, b) => Math.max(...b.values.map((x) => Math.abs(x - perRequest(first, b.k)))) - Math.max(...a.values.map((x) => Math.abs(x - perRequest(first, a.k)))));
  console.log(`\nThe ${TOP} functions whose bytes per request changed most from ${first.v.name}\n`);
  console.log(`| function | ${results.map((r) => r.v.name).join(' | ')} |`);
  console.log(`|---|${results.map(() => '---:').join('|')}|`);
  for (const row of rows.slice(0, TOP)) console.log(`| ${row.k.replace(ROOT + '/', '')} | ${row.values.map((x) => x.toFixed(0)).join(' | ')} |`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
