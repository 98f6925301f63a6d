'use strict';
// The agent's cost with the host's drift cancelled out: every variant runs *at the same time*,
// all pinned to CPU 0, each loaded by its own wrk on CPU 1. Whatever the VM does to the core's
// speed during a round (steal, frequency, a noisy neighbour) then hits every variant alike.
// That is unlike run.cjs and cpu.cjs, whose variants take turns and whose rounds on this VM
// move by 10-30%.
//
// The figure is CPU per request: each app's whole CPU time (every thread: main, exporter
// worker, V8's helpers; utime + stime of /proc/PID/stat) over a window, divided by the
// requests its wrk completed in it. A server pinned to a saturated core serves
// 1 / (CPU per request), so `baseline µs ÷ variant µs` is the req/s ratio run.cjs estimates.
// That ratio does not depend on how the scheduler shares the core between the variants.
// The req/s each variant got while sharing is printed too, but it does depend on that sharing.
// Each round starts every variant fresh, in a rotated order.
//
// Usage: node bench/paired.cjs [--rounds 7] [--seconds 8] [--warmup 3] [--connections 50] [--path /]
//          [--variant NAME=PRELOAD[,KEY=VALUE...] ...  default: baseline=, tracekit=tracekit-node/register; the first
//           is the reference; KEY=VALUE pairs are that variant's own environment]
//          [--env KEY=VALUE,...  for every variant with a preload] [--node PATH]
// SINK_BREAKPOINT=FILE:LINE[:INTERVAL_MS] makes the sink serve a live-debugging breakpoint to
// the variants whose TRACEKIT_SERVICE_NAME is bench-breakpoint (see sink.cjs).
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { startListening, stopProcess, wrkServed } = require('./processes.cjs');
const { option: opt, envOption, variantOptions, median } = require('./args.cjs');

const ROUNDS = Number(opt('rounds', 7));
const SECONDS = Number(opt('seconds', 8));
const WARMUP = Number(opt('warmup', 3));
const CONNECTIONS = Number(opt('connections', 50));
const PATH = opt('path', '/');
const NODE = opt('node', process.execPath);
const EXTRA_ENV = envOption();
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'baseline', env: {} }, { name: 'tracekit', preload: 'tracekit-node/register', env: {} });
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function wrk(url, seconds) {
  return wrkServed(url, seconds, CONNECTIONS);
}

/** CPU milliseconds used so far (utime + stime) from a /proc stat file. */
function statMs(path) {
  const stat = readFileSync(path, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // fields 14 and 15 of the whole line
}

/** CPU milliseconds a process has used so far: all its threads, and its main thread alone. */
function cpuMs(pid) {
  return { all: statMs(`/proc/${pid}/stat`), main: statMs(`/proc/${pid}/task/${pid}/stat`) };
}

async function round(index, sinkUrl, downstreamUrl) {
  const shift = index % variants.length;
  const order = [...variants.slice(shift), ...variants.slice(0, shift)];
  const apps = [];
  try {
    for (const v of order) {
      const argv = ['taskset', '-c', '0', NODE, ...(v.preload ? ['--import', v.preload] : []), 'fixtures/bench-express.cjs'];
      const env = { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...(v.preload ? EXTRA_ENV : {}), ...v.env };
      const app = await startListening(argv, env);
      apps.push({ v, app, url: `http://127.0.0.1:${app.port}${PATH}` });
    }
    await Promise.all(apps.map((a) => wrk(a.url, WARMUP)));
    const before = apps.map((a) => cpuMs(a.app.child.pid));
    const served = await Promise.all(apps.map((a) => wrk(a.url, SECONDS)));
    const after = apps.map((a) => cpuMs(a.app.child.pid));
    const out = new Map();
    apps.forEach((a, i) => {
      if (a.app.err()) console.error(`${a.v.name} stderr: ${a.app.err().slice(-1000)}`);
      out.set(a.v.name, { us: ((after[i].all - before[i].all) * 1000) / served[i], mainUs: ((after[i].main - before[i].main) * 1000) / served[i], rps: served[i] / SECONDS });
    });
    return out;
  } finally {
    for (const a of apps) await stopProcess(a.app.child);
  }
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const ref = variants[0].name;
  const rows = new Map(variants.map((v) => [v.name, { us: [], mainUs: [], rps: [], ratio: [] }]));
  try {
    for (let i = 0; i < ROUNDS; i++) {
      const r = await round(i, `http://127.0.0.1:${sink.port}`, `http://127.0.0.1:${downstream.port}/`);
      const parts = [];
      for (const v of variants) {
        const m = r.get(v.name);
        const row = rows.get(v.name);
        row.us.push(m.us);
        row.mainUs.push(m.mainUs);
        row.rps.push(m.rps);
        row.ratio.push(r.get(ref).us / m.us);
        parts.push(`${v.name} ${m.us.toFixed(1)} µs (${m.rps.toFixed(0)} req/s, ${(r.get(ref).us / m.us).toFixed(3)}x)`);
      }
      console.error(`round ${i + 1}/${ROUNDS}: ${parts.join(', ')}`);
    }
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
  }
  if (!sink.child.stdout.closed) await new Promise((resolve) => sink.child.stdout.once('close', resolve));
  const hits = / breakpoint hits (\d+)/.exec(sink.out());
  if (hits) console.error(`file:line breakpoint (SINK_BREAKPOINT=${process.env.SINK_BREAKPOINT}): ${hits[1]} hits reported over all rounds`);
  const version = execFileSync(NODE, ['--version']).toString().trim().slice(1);
  console.log(`\nfixtures/bench-express.cjs ${PATH}, Node ${version}, ${ROUNDS} rounds of ${SECONDS} s, all variants at once on CPU 0, one wrk -t1 -c${CONNECTIONS} each on CPU 1` +
    (Object.keys(EXTRA_ENV).length ? `; env ${JSON.stringify(EXTRA_ENV)}` : '') + '\n');
  console.log(`| variant | CPU µs per request (median) | of which the main thread | ${ref} µs ÷ variant µs (median of rounds) | lowest | highest | req/s while sharing the core |`);
  console.log('|---|---|---|---|---|---|---|');
  for (const v of variants) {
    const row = rows.get(v.name);
    console.log(`| ${v.name} | ${median(row.us).toFixed(1)} | ${median(row.mainUs).toFixed(1)} | **${median(row.ratio).toFixed(3)}x** | ${Math.min(...row.ratio).toFixed(3)}x | ${Math.max(...row.ratio).toFixed(3)}x | ${median(row.rps).toFixed(0)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
