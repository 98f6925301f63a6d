'use strict';
// What young-generation collection costs the app's main thread per request: each variant in
// turn under wrk, started with `--trace-gc-nvp`, and V8's own record of every collection in the
// measured window summed per request. A scavenge's pause grows with what survives it, not with
// the garbage, so the table gives both how often the app collects (which the agent's garbage
// drives) and how much survives each time (which the app's own live objects drive).
//
// Variants take turns, so the CPU column moves with the host; read the GC columns. Pinned like
// the other scripts: the app on CPU 0, wrk and the sink on CPU 1.
//
// Usage: node bench/scavenges.cjs [--node PATH] [--path /mysql] [--warmup 10] [--seconds 10] [--connections 50]
//          [--variant NAME=PRELOAD[,KEY=VALUE...] ...  default: baseline=, tracekit=tracekit-node/register]
const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const { startListening, stopProcess, wrkServed } = require('./processes.cjs');
const { option: opt, variantOptions } = require('./args.cjs');

const NODE = opt('node', process.execPath);
const PATH = opt('path', '/mysql');
const WARMUP = Number(opt('warmup', 10));
const SECONDS = Number(opt('seconds', 10));
const CONNECTIONS = Number(opt('connections', 50));
const variants = variantOptions();
if (variants.length === 0) variants.push({ name: 'baseline', env: {} }, { name: 'tracekit', preload: 'tracekit-node/register', env: {} });
const TICK_MS = 1000 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

function wrk(url, seconds) {
  return wrkServed(url, seconds, CONNECTIONS);
}

/** CPU milliseconds a process has used so far, every thread (utime + stime). */
function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/** The name=value pairs of one `--trace-gc-nvp` line. */
function gcFields(line) {
  return Object.fromEntries(line.split(/\s+/).map((p) => p.split('=')).filter((p) => p.length === 2));
}

async function measure(v, sinkUrl, downstreamUrl) {
  const argv = ['taskset', '-c', '0', NODE, '--trace-gc-nvp', ...(v.preload ? ['--import', v.preload] : []), 'fixtures/bench-express.cjs'];
  const app = await startListening(argv, { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...v.env });
  try {
    const url = `http://127.0.0.1:${app.port}${PATH}`;
    await wrk(url, WARMUP);
    const mark = app.out().length;
    const cpu0 = cpuMs(app.child.pid);
    const served = await wrk(url, SECONDS);
    const cpu = cpuMs(app.child.pid) - cpu0;
    const scavenges = [];
    let majors = 0;
    for (const line of app.out().slice(mark).split('\n')) {
      if (!line.includes(' gc=')) continue;
      const f = gcFields(line);
      if (f.gc === 's') scavenges.push(f);
      else majors++;
    }
    const sum = (key) => scavenges.reduce((s, f) => s + Number(f[key] || 0), 0);
    return {
      cpuUs: (cpu * 1000) / served,
      perThousand: (scavenges.length * 1000) / served,
      pauseUs: (sum('pause') * 1000) / served,
      survivedMb: scavenges.length ? sum('new_space_survived') / scavenges.length / 1e6 : 0,
      allocatedKb: scavenges.length ? sum('allocated') / served / 1024 : 0,
      majorsPerThousand: (majors * 1000) / served,
    };
  } finally {
    await stopProcess(app.child);
  }
}

async function main() {
  const sink = await startListening(['taskset', '-c', '1', 'node', 'bench/sink.cjs']);
  const downstream = await startListening(['taskset', '-c', '1', 'node', 'bench/downstream.cjs']);
  const rows = [];
  try {
    for (const v of variants) rows.push([v.name, await measure(v, `http://127.0.0.1:${sink.port}`, `http://127.0.0.1:${downstream.port}/`)]);
  } finally {
    await stopProcess(sink.child);
    await stopProcess(downstream.child);
  }
  console.log(`\nfixtures/bench-express.cjs ${PATH}, ${NODE}, ${SECONDS} s of wrk -c${CONNECTIONS} after ${WARMUP} s, variants in turn\n`);
  console.log('| variant | CPU µs per request | scavenges per 1000 requests | scavenge pause µs per request | survived per scavenge | KB allocated per request (V8) | mark-compacts per 1000 requests |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, r] of rows) {
    console.log(`| ${name} | ${r.cpuUs.toFixed(1)} | ${r.perThousand.toFixed(3)} | ${r.pauseUs.toFixed(2)} | ${r.survivedMb.toFixed(2)} MB | ${r.allocatedKb.toFixed(1)} | ${r.majorsPerThousand.toFixed(3)} |`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
