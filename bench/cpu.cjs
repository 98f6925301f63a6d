'use strict';
// CPU time per request, split by thread: where a throughput ratio from run.cjs comes from.
// Each round starts every variant fresh (alternating the order), warms it up with wrk for --warmup seconds (2),
// then runs wrk for --seconds between two SIGUSR2s to bench/cpu-probe.cjs, which reports the
// CPU that the app's main thread and its other threads (V8's GC and compiler helpers, the
// exporter worker, libuv's pool) used, and the main thread's GC pauses. Dividing by the
// requests wrk completed gives microseconds per request. Pinned like run.cjs: the app (all its
// threads) on CPU 0, wrk and the sink on CPU 1.
//
// Usage: node bench/cpu.cjs [--rounds 5] [--seconds 6] [--warmup 2] [--connections 50] [--path /]
//          [--variant NAME=PRELOAD ...  default: baseline=, floor=./bench/als-floor.mjs, tracekit=tracekit-node/register]
//          [--env KEY=VALUE,...  for every variant with a preload] [--node PATH]
const { execFileSync } = require('node:child_process');
const { startListening, stopProcess, wrkServed } = require('./processes.cjs');

const { option: opt, envOption, variantOptions, median } = require('./args.cjs');

const ROUNDS = Number(opt('rounds', 5));
const SECONDS = Number(opt('seconds', 6));
const WARMUP = Number(opt('warmup', 2));
const CONNECTIONS = Number(opt('connections', 50));
const PATH = opt('path', '/');
const NODE = opt('node', process.execPath);
const EXTRA_ENV = envOption();
const variants = variantOptions();
if (variants.length === 0) {
  variants.push({ name: 'baseline' }, { name: 'floor', preload: './bench/als-floor.mjs' }, { name: 'tracekit', preload: 'tracekit-node/register' });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const wrk = (url, seconds) => wrkServed(url, seconds, CONNECTIONS);

/** The last CPU-PROBE line the app printed, waiting briefly for it to arrive. */
async function probeLine(app, after) {
  for (let i = 0; i < 50; i++) {
    const lines = app.err().split('\n').filter((l) => l.startsWith('CPU-PROBE '));
    if (lines.length > after) return JSON.parse(lines[lines.length - 1].slice('CPU-PROBE '.length));
    await sleep(20);
  }
  throw new Error(`no probe output from the app:\n${app.err().slice(-2000)}`);
}

async function measure(variant, sinkUrl, downstreamUrl) {
  const node = ['taskset', '-c', '0', NODE, '--require', './bench/cpu-probe.cjs', ...(variant.preload ? ['--import', variant.preload] : []), 'fixtures/bench-express.cjs'];
  const env = { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...(variant.preload ? EXTRA_ENV : {}), ...variant.env };
  const app = await startListening(node, env);
  try {
    const url = `http://127.0.0.1:${app.port}${PATH}`;
    await wrk(url, WARMUP);
    app.child.kill('SIGUSR2');
    await probeLine(app, 0);
    const requests = await wrk(url, SECONDS);
    app.child.kill('SIGUSR2');
    const p = await probeLine(app, 1);
    const us = (ms) => (ms * 1000) / requests;
    return { rps: requests / SECONDS, main: us(p.mainMs), sys: us(p.mainSysMs), other: us(p.otherMs), gc: us(p.gcMs), kb: p.allocated / 1024 / requests };
  } finally {
    await stopProcess(app.child);
  }
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const results = new Map(variants.map((v) => [v.name, []]));
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 ? [...variants].reverse() : variants;
      for (const v of order) {
        const r = await measure(v, `http://127.0.0.1:${sink.port}`, `http://127.0.0.1:${downstream.port}/`);
        results.get(v.name).push(r);
        console.error(`round ${round + 1}/${ROUNDS} ${v.name}: ${r.rps.toFixed(0)} req/s, main ${r.main.toFixed(1)} µs (${r.sys.toFixed(1)} in the kernel), other threads ${r.other.toFixed(1)} µs, GC ${r.gc.toFixed(1)} µs per request, ${r.kb.toFixed(2)} KiB allocated`);
      }
    }
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
  }
  const version = execFileSync(NODE, ['--version']).toString().trim().slice(1);
  console.log(`\nfixtures/bench-express.cjs ${PATH}, Node ${version}, ${ROUNDS} rounds of ${SECONDS} s, wrk -t1 -c${CONNECTIONS}, app pinned to CPU 0; medians of rounds, CPU in µs per request\n`);
  console.log('| variant | req/s | main thread | of which kernel | other threads | main-thread GC pauses | main + other | KiB allocated |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, rows] of results) {
    const m = (key) => median(rows.map((r) => r[key]));
    console.log(`| ${name} | ${m('rps').toFixed(0)} | ${m('main').toFixed(1)} | ${m('sys').toFixed(1)} | ${m('other').toFixed(1)} | ${m('gc').toFixed(1)} | ${median(rows.map((r) => r.main + r.other)).toFixed(1)} | ${m('kb').toFixed(2)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
