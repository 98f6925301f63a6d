'use strict';
// Memory under sustained load: each variant in turn, pinned to CPU 0 and loaded by wrk on CPU 1
// for a minute, with its peak RSS (VmHWM) read at the end of every window, and V8's young
// generation from `--trace-gc-nvp`: its size, and how much survives each scavenge.
//
// Why a minute and not the few seconds of run.cjs: V8 grows the young generation while
// scavenges keep finding survivors, and how fast depends on how much survives each one. A short
// run compares the variants at different points of that growth; this shows where each settles.
// See docs/agent.md, "Idle connections".
//
// Usage: node bench/memory.cjs [--node PATH] [--path /] [--seconds 60] [--window 10] [--connections 50]
//          [--variant NAME=PRELOAD[,KEY=VALUE...] ...  default: baseline=, tracekit=tracekit-node/register]
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { startListening, stopProcess, wrkServed } = require('./processes.cjs');
const { option: opt, variantOptions } = require('./args.cjs');

const NODE = opt('node', process.execPath);
const PATH = opt('path', '/');
const SECONDS = Number(opt('seconds', 60));
const WINDOW = Number(opt('window', 10));
const CONNECTIONS = Number(opt('connections', 50));
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'baseline', env: {} }, { name: 'tracekit', preload: 'tracekit-node/register', env: {} });

const wrk = (url, seconds) => wrkServed(url, seconds, CONNECTIONS);

const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

/** The scavenges `--trace-gc-nvp` printed after `from` in `out`: the largest young generation (MB) and mean survivors (KB). */
function scavenges(out, from) {
  let n = 0;
  let survived = 0;
  let capacity = 0;
  for (const line of out.slice(from).split('\n')) {
    if (!line.includes(' gc=s ')) continue;
    n++;
    survived += Number(/ new_space_survived=(\d+)/.exec(line)?.[1] ?? 0);
    capacity = Math.max(capacity, Number(/ new_space_capacity=(\d+)/.exec(line)?.[1] ?? 0));
  }
  return { youngMb: capacity / 1048576, survivedKb: n === 0 ? 0 : survived / n / 1024 };
}

async function measure(v, sinkUrl) {
  const argv = ['taskset', '-c', '0', NODE, '--trace-gc-nvp', ...(v.preload ? ['--import', v.preload] : []), 'fixtures/bench-express.cjs'];
  const app = await startListening(argv, { TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...v.env });
  const url = `http://127.0.0.1:${app.port}${PATH}`;
  const rows = [];
  try {
    for (let t = WINDOW; t <= SECONDS; t += WINDOW) {
      const from = app.out().length;
      await wrk(url, WINDOW);
      rows.push({ t, rss: peakRssMb(app.child.pid), ...scavenges(app.out(), from) });
    }
  } finally {
    await stopProcess(app.child);
  }
  return rows;
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const results = [];
  try {
    for (const v of variants) results.push(await measure(v, `http://127.0.0.1:${sink.port}`));
  } finally {
    await stopProcess(sink.child);
  }
  console.log(`\nfixtures/bench-express.cjs ${PATH}, Node ${execFileSync(NODE, ['--version']).toString().trim()}, wrk -c${CONNECTIONS}; after each window: peak RSS MB (V8's new_space_capacity MB, mean KB surviving a scavenge in the window)\n`);
  console.log(`| after | ${variants.map((v) => v.name).join(' | ')} |`);
  console.log(`|---|${variants.map(() => '---:').join('|')}|`);
  for (let i = 0; i < results[0].length; i++) {
    const cells = results.map((r) => `${r[i].rss.toFixed(0)} (${r[i].youngMb.toFixed(0)}, ${r[i].survivedKb.toFixed(0)})`);
    console.log(`| ${results[0][i].t} s | ${cells.join(' | ')} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
