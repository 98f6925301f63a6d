'use strict';
// Where the time goes at full speed, from sampled profiles: `perf record` (the software
// cpu-clock, with call graphs) of the bench app under wrk, for each variant in turn.
//
// JIT code is named through V8's jitdump (`--perf-prof`, then `perf inject --jit`): each
// compiled function is written out with the time it appeared, so a sample is named by the
// code that was at its address when it was taken. A plain perf map (`--perf-basic-prof`)
// cannot do that: V8 reuses code addresses, and such a profile once charged the agent's span
// encoder to node's `nextTick`.
//
// A main-thread sample is charged to its owner: the nearest JavaScript frame outside node's own
// modules. That is the agent (files under the preload's `dist` directory, or the preload file
// itself), a package under node_modules, or the app; a sample with no such frame is node's
// own work (the event loop, streams, the kernel). What the agent calls into (node, V8's
// runtime, GC it triggers by allocating) is therefore charged to the agent. Other threads are
// grouped by kind. Figures are µs of CPU per request served while recording; recording with
// call graphs slows the app by roughly a tenth, and the agent's share of the main thread is the
// figure that least depends on how fast the host runs that day.
//
// Needs linux-perf and permission to profile another process (root, or
// kernel.perf_event_paranoid <= 1). Pinned like run.cjs: the app on CPU 0, the rest on CPU 1.
//
// Usage: node bench/profile.cjs [--seconds 5] [--warmup 3] [--frequency 2000] [--path /] [--top 25]
//          [--variant NAME=PRELOAD ...  default: floor=./bench/als-floor.mjs, tracekit=tracekit-node/register]
//          [--env KEY=VALUE,...  for every variant with a preload] [--node PATH] [--keep]
//          [--leaves N  also list the N innermost main-thread functions (any owner, native too) whose time
//           changed most from the first variant: where a cost the agent causes inside node or V8 lands]
// A variant may carry its own environment: --variant NAME=PRELOAD,KEY=VALUE,...
const { execFileSync, spawn, spawnSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, isAbsolute, join, resolve, sep } = require('node:path');
const { ROOT, startListening, stopProcess, wrkServed } = require('./processes.cjs');
const { option: opt, flag, envOption, variantOptions } = require('./args.cjs');

const SECONDS = Number(opt('seconds', 5));
const WARMUP = Number(opt('warmup', 3));
const FREQUENCY = Number(opt('frequency', 2000));
const PATH = opt('path', '/');
const TOP = Number(opt('top', 25));
const LEAVES = Number(opt('leaves', 0));
const NODE = resolve(ROOT, opt('node', process.execPath));
const EXTRA_ENV = envOption();
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'floor', preload: './bench/als-floor.mjs' }, { name: 'tracekit', preload: 'tracekit-node/register' });

/** The preload as an absolute file (the app runs in a scratch directory, where V8 writes its jitdump). */
function preloadFile(spec) {
  if (isAbsolute(spec)) return spec;
  if (spec.startsWith('.')) return resolve(ROOT, spec);
  const out = execFileSync(NODE, ['--input-type=module', '-e', `console.log(import.meta.resolve(${JSON.stringify(spec)}))`], { cwd: ROOT });
  return new URL(out.toString().trim()).pathname;
}

/** Files whose frames count as the agent's: the `dist` directory a preload lives in, or the preload itself. */
function agentPrefix(file) {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    if (dir.endsWith(`${sep}dist`)) return dir + sep;
  }
  return file;
}

const wrk = (url, seconds) => wrkServed(url, seconds, 50);

const exited = (child) => new Promise((done) => (child.exitCode !== null ? done() : child.once('exit', done)));

/** Runs one variant under perf; returns the requests served while recording and the samples' stacks. */
async function record(variant, dir, sinkUrl, downstreamUrl) {
  const preload = variant.preload ? preloadFile(variant.preload) : undefined;
  const node = ['taskset', '-c', '0', NODE, '--perf-prof', '--interpreted-frames-native-stack', ...(preload ? ['--import', preload] : []), join(ROOT, 'fixtures/bench-express.cjs')];
  const env = { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...(variant.preload ? EXTRA_ENV : {}), ...variant.env };
  const app = await startListening(node, env, dir);
  const data = join(dir, 'perf.data');
  let requests;
  try {
    const url = `http://127.0.0.1:${app.port}${PATH}`;
    await wrk(url, WARMUP);
    const perf = spawn('perf', ['record', '-k', 'mono', '-e', 'cpu-clock', '-F', String(FREQUENCY), '-g', '-p', String(app.child.pid), '-o', data], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
    requests = await wrk(url, SECONDS);
    perf.kill('SIGINT');
    await exited(perf);
  } finally {
    await stopProcess(app.child);
  }
  const injected = join(dir, 'perf.jit.data');
  execFileSync('perf', ['inject', '--jit', '-i', data, '-o', injected], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const script = spawnSync('perf', ['script', '-i', injected, '-F', 'pid,tid,ip,sym,dso'], { cwd: dir, maxBuffer: 1 << 30 });
  if (script.status !== 0) throw new Error(`perf script failed: ${script.stderr}`);
  return { requests, agent: preload ? agentPrefix(preload) : undefined, stacks: parseStacks(script.stdout.toString()) };
}

/** perf script output → [{ main, frames: [symbol, ...] leaf first }]. */
function parseStacks(text) {
  const stacks = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n').filter((l) => l.trim() !== '');
    const head = /^\s*(\d+)\/(\d+)/.exec(lines[0] ?? '');
    if (!head) continue;
    const frames = lines.slice(1).map((l) => l.trim().replace(/^[0-9a-f]+\s+/, '').replace(/\s+\([^()]*\)$/, ''));
    stacks.push({ main: head[1] === head[2], frames });
  }
  return stacks;
}

/** A JIT frame's function name and file (`JS:*name /path/file.js:12:3`), or undefined for native frames. */
function jsFrame(frame) {
  const m = /^JS:[*^~+']?(.*?)\s*(\S+):\d+:\d+$/.exec(frame);
  return m ? { name: m[1] || '(anonymous)', file: m[2] } : undefined;
}

/** Who a main-thread sample's time belongs to. */
function ownerOf(frames, agent) {
  for (let i = 0; i < frames.length; i++) {
    const js = jsFrame(frames[i]);
    if (js === undefined || js.file.startsWith('node:')) continue;
    if (agent !== undefined && js.file.startsWith(agent)) return { owner: 'agent', at: i, js };
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(js.file);
    return { owner: pkg ? pkg[1] : 'app', at: i, js };
  }
  return { owner: 'node (no app or package frame)' };
}

/** A frame's name without the JIT tier mark and source position, so one function's tiers add up. */
function leafName(frame) {
  const js = jsFrame(frame);
  return js === undefined ? frame : `JS ${js.name} ${js.file.replace(/^.*\/node_modules\//, '')}`;
}

function threadKind(frames) {
  const s = frames.join('\n');
  if (s.includes('node::worker::Worker::Run')) return 'worker_threads (the exporter)';
  if (/OptimizingCompileDispatcher|compiler::|Maglev/.test(s)) return 'V8 compiler';
  if (/Scaveng|Marking|Sweep|Heap|Evacuat|Compactor/.test(s)) return 'V8 GC helpers';
  if (/uv__work|uv_thread/.test(s)) return 'libuv pool';
  return 'other';
}

function summarise({ requests, agent, stacks }) {
  const perRequest = (count) => ((count * 1e6) / FREQUENCY) / requests;
  const owners = new Map();
  const others = new Map();
  const agentFns = new Map();
  const leaves = new Map();
  let main = 0;
  let other = 0;
  const add = (m, k) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const { main: isMain, frames } of stacks) {
    if (!isMain) {
      other++;
      add(others, threadKind(frames));
      continue;
    }
    main++;
    add(leaves, leafName(frames[0] ?? '?'));
    const o = ownerOf(frames, agent);
    add(owners, o.owner);
    if (o.owner === 'agent') {
      const file = o.js.file.slice(agent.length);
      add(agentFns, `${o.js.name} (${file})`);
    }
  }
  const scale = (m) => new Map([...m].map(([k, c]) => [k, perRequest(c)]));
  return { rps: requests / SECONDS, main: perRequest(main), other: perRequest(other), agentShare: (owners.get('agent') ?? 0) / main, owners: scale(owners), others: scale(others), agentFns: scale(agentFns), leaves: scale(leaves) };
}

function table(title, names, rows) {
  console.log(`\n${title}\n`);
  console.log(`| | ${names.join(' | ')} |`);
  console.log(`|---|${names.map(() => '---:').join('|')}|`);
  for (const [label, values] of rows) console.log(`| ${label} | ${values.join(' | ')} |`);
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const results = [];
  try {
    for (const v of variants) {
      const dir = mkdtempSync(join(tmpdir(), `tracekit-profile-${v.name}-`));
      try {
        results.push({ name: v.name, ...summarise(await record(v, dir, `http://127.0.0.1:${sink.port}`, `http://127.0.0.1:${downstream.port}/`)) });
      } finally {
        if (flag('keep')) console.error(`${v.name}: perf data kept in ${dir}`);
        else rmSync(dir, { recursive: true, force: true });
      }
      const r = results[results.length - 1];
      console.error(`${v.name}: ${r.rps.toFixed(0)} req/s while recording, main thread ${r.main.toFixed(1)} µs/request (agent ${(r.agentShare * 100).toFixed(1)}%), other threads ${r.other.toFixed(1)}`);
    }
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
  }
  const names = results.map((r) => r.name);
  const us = (x) => (x === undefined ? '' : x.toFixed(2));
  const keysBy = (pick) => {
    const total = new Map();
    for (const r of results) for (const [k, v] of pick(r)) total.set(k, (total.get(k) ?? 0) + v);
    return [...total].sort((a, b) => b[1] - a[1]).map(([k]) => k);
  };
  const version = execFileSync(NODE, ['--version']).toString().trim();
  console.log(`\nfixtures/bench-express.cjs ${PATH}, Node ${version.slice(1)}, ${SECONDS} s under wrk -t1 -c50 after ${WARMUP} s of warm-up, perf cpu-clock at ${FREQUENCY} Hz; µs of CPU per request`);
  table('Main thread, by owner (the nearest JavaScript frame outside node\'s own modules)', names, [
    ['**total**', results.map((r) => `**${us(r.main)}**`)],
    ['agent share of the main thread', results.map((r) => `${(r.agentShare * 100).toFixed(1)}%`)],
    ...keysBy((r) => r.owners).slice(0, TOP).map((k) => [k, results.map((r) => us(r.owners.get(k) ?? 0))]),
  ]);
  table('Other threads of the app', names, [
    ['**total**', results.map((r) => `**${us(r.other)}**`)],
    ...keysBy((r) => r.others).map((k) => [k, results.map((r) => us(r.others.get(k) ?? 0))]),
  ]);
  if (LEAVES > 0 && results.length > 1) {
    const first = results[0].leaves;
    const change = (k) => Math.max(...results.slice(1).map((r) => Math.abs((r.leaves.get(k) ?? 0) - (first.get(k) ?? 0))));
    const keys = keysBy((r) => r.leaves).sort((a, b) => change(b) - change(a)).slice(0, LEAVES);
    table(`Main thread by innermost function, the ${LEAVES} that changed most from ${names[0]}`, names, keys.map((k) => [k.replace(/\|/g, '\\|'), results.map((r) => us(r.leaves.get(k) ?? 0))]));
  }
  for (const r of results) {
    if (r.agentFns.size === 0) continue;
    table(`${r.name}: the agent's main-thread time by its innermost function (with what that calls in node and V8)`, [r.name], [...r.agentFns].sort((a, b) => b[1] - a[1]).slice(0, TOP).map(([k, v]) => [k, [us(v)]]));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
