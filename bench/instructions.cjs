'use strict';
// Instructions per request, counted by valgrind's callgrind: steadier than req/s on a noisy VM
// (the count does not depend on what else the machine is doing). The app runs under callgrind
// (pinned to CPU 0); a keep-alive client on CPU 1 sends --warm requests, the counters are
// zeroed (callgrind_control -z), --requests more are sent, and the counters are dumped. Each
// function's own instructions are divided by --requests and grouped: the agent's JavaScript,
// node's and the dependencies' JavaScript, V8 builtins and runtime (other), GC, and the JIT
// compiler. Compiled JavaScript is named with V8's --perf-basic-prof map.
//
// GC and compiler counts move by tens of thousands between runs (a major GC or a round of
// optimisation landing in the window or not), and V8's runtime counts move by a few thousand
// with the JIT's timing; the agent's own JavaScript is the steadiest figure.
//
// Usage: node bench/instructions.cjs [--warm 10000] [--requests 5000] [--path /]
//          [--variant NAME=PRELOAD ...  default: baseline and tracekit]
//          [--env KEY=VALUE,...  for every variant with a preload] [--top 15]
//          [--node PATH  the node binary for the app] [--diff 25  functions that changed most
//           against the first variant, any category: where indirect costs show]
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, readdirSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startListening, stopProcess } = require('./processes.cjs');
const { option: opt, envOption, variantOptions } = require('./args.cjs');
const WARM = Number(opt('warm', 10000));
const REQUESTS = Number(opt('requests', 5000));
const PATH = opt('path', '/');
const TOP = Number(opt('top', 15));
const NODE = opt('node', process.execPath);
const DIFF = Number(opt('diff', 0));
// Under valgrind the app serves about 125 requests a second, not thousands, so work done once
// per interval (a metrics export every 10 s, a span batch sent every second before it is
// full) would be shared by about 80 times fewer requests than at full speed and counted that
// much too high. These defaults make batches leave when full and keep the metrics export out
// of the window, as at full speed; --env overrides them.
const INTERVAL_ENV = { TRACEKIT_METRICS_INTERVAL: '3600000', TRACEKIT_SCHEDULE_DELAY: '600000' };
const EXTRA_ENV = { ...INTERVAL_ENV, ...envOption() };
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'baseline' }, { name: 'tracekit', preload: 'tracekit-node/register' });

// Sends `n` GET requests over 10 keep-alive connections, from CPU 1.
const CLIENT = `
const http = require('node:http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
const [n, port, path] = [Number(process.argv[1]), Number(process.argv[2]), process.argv[3]];
let sent = 0, open = 0;
function go() {
  while (open < 10 && sent < n) {
    sent++; open++;
    http.get({ port, path, agent }, (res) => {
      if (res.statusCode >= 400) { console.error('status', res.statusCode); process.exit(1); }
      res.resume();
      res.on('end', () => { open--; if (sent >= n && open === 0) process.exit(0); go(); });
    }).on('error', (e) => { console.error(e.message); process.exit(1); });
  }
}
go();`;
const drive = (n, port) => execFileSync('taskset', ['-c', '1', process.execPath, '-e', CLIENT, String(n), String(port), PATH], { stdio: 'inherit' });

/** Function name → own instructions, from a callgrind output file (calls' inclusive costs skipped). */
function selfCosts(file) {
  const names = new Map();
  const self = new Map();
  const name = (s) => {
    const m = /^\((\d+)\)(?: (.*))?$/.exec(s);
    if (!m) return s;
    if (m[2] !== undefined) names.set(m[1], m[2]);
    return names.get(m[1]);
  };
  let fn;
  let skip = false;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.startsWith('fn=')) fn = name(line.slice(3));
    else if (line.startsWith('cfn=')) name(line.slice(4));
    else if (line.startsWith('calls=')) skip = true;
    else if (/^[+*-]?\d/.test(line)) {
      if (skip) skip = false;
      else if (fn !== undefined) {
        const parts = line.trim().split(/\s+/);
        if (parts.length >= 2) self.set(fn, (self.get(fn) ?? 0) + Number(parts[parts.length - 1]));
      }
    }
  }
  return self;
}

/** Names JIT addresses (`0x...`) with a --perf-basic-prof map: start, size and name per compiled function. */
function jitNamer(mapFile) {
  const ranges = [];
  for (const l of readFileSync(mapFile, 'utf8').split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(l);
    if (m) ranges.push([parseInt(m[1], 16), parseInt(m[2], 16), m[3]]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  return (fn) => {
    const m = /^0x([0-9a-f]+)/.exec(fn);
    if (!m) return fn;
    const addr = parseInt(m[1], 16);
    let lo = 0;
    let hi = ranges.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid][0] <= addr) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best !== -1 && addr < ranges[best][0] + ranges[best][1] ? ranges[best][2].replace(/:\d+:\d+$/, '') : 'JIT code (unnamed)';
  };
}

const CATEGORIES = [
  ['gc', /Scaveng|Sweep|MarkCompact|Marking|Evacuat|BodyDescriptor|Heap::|heap::|RememberedSet|SlotSet|LiveObject|RecordMigrated|Worklist|MemoryChunk|PagedSpace|SemiSpace|GCTracer|MinorMC|FreeList|UpdatingItem|PointersUpdating/],
  ['compiler', /compiler::|Compiler|Maglev|baseline::|interpreter::|Bytecode|Zone|RegisterAllocator|LinearScan|SourcePosition|CodeAssembler|Assembler|RelocIterator|Deoptimiz|JSHeapBroker|InstructionSelector/],
  ['agent', / dist\//],
  ['node', /node:/],
  ['deps', / node_modules\//],
];
const categoryOf = (fn) => (CATEGORIES.find(([, re]) => re.test(fn)) ?? ['other'])[0];

async function measure(variant, sinkUrl, downstreamUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'tracekit-callgrind-'));
  const node = [NODE, '--single-threaded-gc', '--perf-basic-prof', ...(variant.preload ? ['--import', variant.preload] : []), 'fixtures/bench-express.cjs'];
  const cmd = ['taskset', '-c', '0', 'valgrind', '--tool=callgrind', `--callgrind-out-file=${dir}/out.%p`, '--dump-instr=no', ...node];
  const env = { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...(variant.preload ? EXTRA_ENV : {}), ...variant.env };
  const app = await startListening(cmd, env);
  try {
    drive(WARM, app.port);
    execFileSync('callgrind_control', ['-z', String(app.child.pid)], { stdio: 'ignore' });
    drive(REQUESTS, app.port);
    execFileSync('callgrind_control', ['-d', String(app.child.pid)], { stdio: 'ignore' });
  } finally {
    await stopProcess(app.child, 'SIGKILL');
  }
  const dump = readdirSync(dir).find((f) => /^out\.\d+\.1$/.test(f));
  const mapFile = `/tmp/perf-${app.child.pid}.map`;
  const nameOf = jitNamer(mapFile);
  const byFn = new Map();
  for (const [fn, cost] of selfCosts(join(dir, dump))) {
    // "JS:*span /abs/path/dist/otlp/encode-proto.js" → "JS:*span dist/otlp/encode-proto.js"
    const n = nameOf(fn).replace(/ \S*?\/(dist|node_modules)\//, ' $1/');
    byFn.set(n, (byFn.get(n) ?? 0) + cost / REQUESTS);
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(mapFile, { force: true });
  const cats = { agent: 0, node: 0, deps: 0, other: 0, gc: 0, compiler: 0 };
  let total = 0;
  for (const [fn, v] of byFn) {
    cats[categoryOf(fn)] += v;
    total += v;
  }
  return { total, cats, byFn };
}

/** The DIFF functions whose own instructions per request changed most from `base` to `other`. */
function printDiff([baseName, base], [name, other]) {
  const fns = new Set([...base.byFn.keys(), ...other.byFn.keys()]);
  const rows = [...fns].map((fn) => [fn, base.byFn.get(fn) ?? 0, other.byFn.get(fn) ?? 0]);
  rows.sort((a, b) => Math.abs(b[2] - b[1]) - Math.abs(a[2] - a[1]));
  console.log(`\n${name} against ${baseName}, own instructions per request (change, before, after):`);
  for (const [fn, a, b] of rows.slice(0, DIFF)) {
    console.log(`${(b - a).toFixed(0).padStart(8)} ${a.toFixed(0).padStart(8)} ${b.toFixed(0).padStart(8)}  ${categoryOf(fn).padEnd(8)} ${fn.slice(0, 120)}`);
  }
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  // For `--path /fetch`, the route's one outgoing call goes here (as in run.cjs).
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const downstreamUrl = `http://127.0.0.1:${downstream.port}/`;
  const k = (v) => `${(v / 1000).toFixed(1)}k`;
  const rows = [];
  try {
    for (const v of variants) {
      console.error(`${v.name}: ${WARM} requests to warm up, then ${REQUESTS} counted…`);
      const r = await measure(v, sinkUrl, downstreamUrl);
      rows.push([v.name, r]);
      if (v.preload) {
        const agent = [...r.byFn].filter(([fn]) => categoryOf(fn) === 'agent').sort((a, b) => b[1] - a[1]).slice(0, TOP);
        console.error(`  the agent's JavaScript by function (instructions per request):`);
        for (const [fn, c] of agent) console.error(`  ${c.toFixed(0).padStart(7)}  ${fn}`);
      }
    }
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
  }
  console.log(`\nfixtures/bench-express.cjs ${PATH}, instructions per request (${REQUESTS} counted after ${WARM}), Node ${execFileSync(NODE, ['--version']).toString().trim().slice(1)}\n`);
  console.log('| variant | all | without GC and JIT compiler | agent JS | node JS | deps JS | V8 builtins and runtime | GC | compiler |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [name, r] of rows) {
    const c = r.cats;
    console.log(`| ${name} | ${k(r.total)} | **${k(r.total - c.gc - c.compiler)}** | ${k(c.agent)} | ${k(c.node)} | ${k(c.deps)} | ${k(c.other)} | ${k(c.gc)} | ${k(c.compiler)} |`);
  }
  if (DIFF > 0) for (const [name, r] of rows.slice(1)) printDiff(rows[0], [name, r]);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
