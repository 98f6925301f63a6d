'use strict';
// Measures the agent's cost: the express app with and without tracekit (100% sampling,
// exporting to a local OTLP sink), interleaved rounds, medians and ratios in one run.
// The app is pinned to CPU 0 and everything else (wrk, sink, downstream) to CPU 1, so the
// exporter worker's CPU is paid by the app, as it would be on a one-core container.
//
// Usage: node bench/run.cjs [--rounds 5] [--seconds 5] [--warmup 2] [--connections 50] [--scenario hello,fetch,pg]
//                           [--env KEY=VALUE,...  extra environment for the tracekit variant]
//                           [--unpinned  let the OS place every process]
//                           [--node PATH  the node binary for the app, e.g. test/versions/node-24/node_modules/node/bin/node]
//                           [--preload SPECIFIER  what the measured variant imports instead of tracekit-node/register,
//                            e.g. ./bench/als-floor.mjs]
const { execFileSync } = require('node:child_process');
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { ROOT, startListening, stopProcess } = require('./processes.cjs');
const { option: opt, flag, envOption, median } = require('./args.cjs');
const ROUNDS = Number(opt('rounds', 5));
const SECONDS = Number(opt('seconds', 5));
const WARMUP = Number(opt('warmup', 2));
const CONNECTIONS = Number(opt('connections', 50));
const SCENARIOS = opt('scenario', 'hello,fetch,pg').split(',');
const EXTRA_ENV = envOption();
const NODE = opt('node', process.execPath);
const PRELOAD = opt('preload', 'tracekit-node/register');
/** What the measured variant is called in the log and the table. */
const LABEL = PRELOAD === 'tracekit-node/register' ? 'tracekit' : PRELOAD.replace(/^.*\//, '').replace(/\.[cm]?js$/, '');
const CPUS = Number(execFileSync('nproc').toString().trim());
const PINNED = CPUS >= 2 && !flag('unpinned');
const pin = (cpu, cmd) => (PINNED ? ['taskset', ['-c', String(cpu), ...cmd]] : [cmd[0], cmd.slice(1)]);

function start(cpu, cmd, env = {}) {
  const [bin, argv] = pin(cpu, cmd);
  return startListening([bin, ...argv], env);
}

const stop = (p) => stopProcess(p.child);

function wrk(url, seconds) {
  const [bin, argv] = pin(1, ['wrk', '-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, url]);
  const out = execFileSync(bin, argv).toString();
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  if (non2xx) throw new Error(`wrk saw ${non2xx[1]} errors:\n${out}`);
  return rps;
}

const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;

const PATHS = { hello: '/', fetch: '/fetch', pg: '/pg' };
const TITLES = { hello: 'express hello world', fetch: 'express + one outgoing fetch', pg: 'express + three pg queries' };

async function measure(variant, scenario, sinkUrl, downstreamUrl) {
  const node = [NODE];
  if (variant === 'tracekit') node.push('--import', PRELOAD);
  const env = { DOWNSTREAM_URL: downstreamUrl, TRACEKIT_ENDPOINT: sinkUrl, TRACEKIT_SAMPLE_RATE: '1', ...(variant === 'tracekit' ? EXTRA_ENV : {}) };
  const app = await start(0, [...node, 'fixtures/bench-express.cjs'], env);
  const url = `http://127.0.0.1:${app.port}${PATHS[scenario]}`;
  wrk(url, WARMUP); // warm-up: JIT, keep-alive pools
  const rps = wrk(url, SECONDS);
  const rss = peakRssMb(app.child.pid);
  await stop(app);
  return { rps, rss, startupMs: app.startupMs, stderr: app.err() };
}

async function main() {
  const sink = await start(1, ['node', 'bench/sink.cjs']);
  const downstream = await start(1, ['node', 'bench/downstream.cjs']);
  const sinkUrl = `http://127.0.0.1:${sink.port}`;
  const downstreamUrl = `http://127.0.0.1:${downstream.port}/`;
  const rows = [];
  for (const scenario of SCENARIOS) {
    const r = { scenario, base: [], tk: [], ratio: [], baseRss: [], tkRss: [], baseStart: [], tkStart: [] };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which variant goes first, so drift over time hits both equally.
      const order = round % 2 ? ['tracekit', 'baseline'] : ['baseline', 'tracekit'];
      const res = {};
      for (const v of order) res[v] = await measure(v, scenario, sinkUrl, downstreamUrl);
      if (res.tracekit.stderr) console.error(res.tracekit.stderr);
      r.base.push(res.baseline.rps);
      r.tk.push(res.tracekit.rps);
      r.ratio.push(res.tracekit.rps / res.baseline.rps);
      r.baseRss.push(res.baseline.rss);
      r.tkRss.push(res.tracekit.rss);
      r.baseStart.push(res.baseline.startupMs);
      r.tkStart.push(res.tracekit.startupMs);
      console.error(`${scenario} round ${round + 1}/${ROUNDS}: baseline ${res.baseline.rps.toFixed(0)} req/s, ${LABEL} ${res.tracekit.rps.toFixed(0)} req/s, ratio ${(res.tracekit.rps / res.baseline.rps).toFixed(3)}`);
    }
    rows.push(r);
  }
  await stop(sink);
  await stop(downstream);
  const lines = [
    `Node ${execFileSync(NODE, ['--version']).toString().trim().slice(1)}, ${CPUS} CPUs, ${ROUNDS} interleaved rounds of ${SECONDS} s, wrk -t1 -c${CONNECTIONS}; ` +
      (PINNED ? 'app pinned to CPU 0, wrk/sink/downstream to CPU 1' : 'unpinned') +
      (Object.keys(EXTRA_ENV).length ? `; tracekit env ${JSON.stringify(EXTRA_ENV)}` : '') +
      (PRELOAD === 'tracekit-node/register' ? '' : `; the ${LABEL} variant imports ${PRELOAD} instead of tracekit-node/register`) +
      '.',
    '',
    `| scenario | baseline req/s | ${LABEL} req/s | ratio (median of rounds) | worst round | peak RSS baseline → ${LABEL} | start-up baseline → ${LABEL} |`,
    '|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${TITLES[r.scenario]} | ${median(r.base).toFixed(0)} | ${median(r.tk).toFixed(0)} | **${median(r.ratio).toFixed(3)}x** | ${Math.min(...r.ratio).toFixed(3)}x | ${median(r.baseRss).toFixed(0)} → ${median(r.tkRss).toFixed(0)} MB | ${median(r.baseStart).toFixed(0)} → ${median(r.tkStart).toFixed(0)} ms |`,
    ),
  ];
  const text = lines.join('\n');
  console.log(text);
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'latest.md'), `${text}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
