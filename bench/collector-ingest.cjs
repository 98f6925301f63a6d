'use strict';
// Ingest throughput of `tracekit start`: spans per second accepted through POST /v1/traces
// (protobuf, gzip, 1000 spans per request as the agent batches them), with the collector
// pinned to CPU 0 and the senders on CPU 1. Each request is answered only once its rows are
// committed, so this is stored spans per second, not buffered ones.
//
// Usage: npm run build && node bench/collector-ingest.cjs [--seconds 10] [--concurrency 4] [--plain]
const http = require('node:http');
const { spawnSync, execFileSync } = require('node:child_process');
const { gzipSync } = require('node:zlib');
const { startCollector, cpuSeconds, requestSpans } = require('./collector-common.cjs');
const { encodeTracesProto } = require('../dist/otlp/trace-batch.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(`--${name}`); return i === -1 ? fallback : args[i + 1]; };
const SECONDS = Number(opt('seconds', 10));
const CONCURRENCY = Number(opt('concurrency', 4));
const GZIP = !args.includes('--plain');
const SPANS_PER_BODY = 1000;

function bodies(n) {
  const out = [];
  const resource = { attributes: { 'service.name': 'bench-app', 'service.instance.id': 'bench-1', 'telemetry.sdk.name': 'tracekit' } };
  for (let b = 0; b < n; b++) {
    const spans = [];
    for (let i = 0; spans.length < SPANS_PER_BODY; i++) spans.push(...requestSpans(Date.now() - 1000 + i, b * 1000 + i));
    const raw = encodeTracesProto(resource, spans.slice(0, SPANS_PER_BODY));
    out.push(GZIP ? gzipSync(raw) : raw);
  }
  return out;
}

// The senders run on CPU 1, so the collector's core is its own.
if (process.env.TK_BENCH_SENDER_PINNED !== '1' && Number(execFileSync('nproc').toString()) >= 2) {
  const r = spawnSync('taskset', ['-c', '1', process.execPath, __filename, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, TK_BENCH_SENDER_PINNED: '1' } });
  process.exit(r.status ?? 1);
}

async function main() {
  const collector = await startCollector({ cpu: 0 });
  try {
    const pool = bodies(40);
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const url = new URL(`${collector.url}/v1/traces`);
    const status = {};
    let accepted = 0;
    let measuring = false;
    const post = (body) => new Promise((resolve, reject) => {
      const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', ...(GZIP ? { 'content-encoding': 'gzip' } : {}), 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => {
          if (measuring) {
            status[res.statusCode] = (status[res.statusCode] || 0) + 1;
            if (res.statusCode === 200) accepted += SPANS_PER_BODY;
          }
          resolve(res.statusCode);
        });
      });
      req.on('error', reject);
      req.end(body);
    });
    let stop = false;
    let n = 0;
    const worker = async () => { while (!stop) { const s = await post(pool[n++ % pool.length]); if (s === 503) await new Promise((r) => setTimeout(r, 20)); } };
    const workers = Array.from({ length: CONCURRENCY }, worker);
    await new Promise((r) => setTimeout(r, 2000)); // warm-up
    measuring = true;
    const cpu0 = cpuSeconds(collector.child.pid);
    const t0 = process.hrtime.bigint();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    measuring = false;
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = cpuSeconds(collector.child.pid) - cpu0;
    stop = true;
    await Promise.all(workers);
    agent.destroy();
    const stats = await (await fetch(`${collector.url}/api/status`)).json();
    const result = {
      spansPerSecond: Math.round(accepted / elapsed),
      collectorCpuSeconds: Number(cpu.toFixed(2)),
      spansPerCpuSecond: Math.round(accepted / Math.max(cpu, 0.001)),
      responses: status,
      storedSpans: stats.stored.spans,
      gzip: GZIP,
      concurrency: CONCURRENCY,
      pinned: process.env.TK_BENCH_SENDER_PINNED === '1' ? 'collector on CPU 0, senders on CPU 1' : 'collector on CPU 0',
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await collector.stop();
  }
}

if (process.env.TK_BENCH_SENDER_PINNED === '1' || Number(execFileSync('nproc').toString()) < 2) main().catch((err) => { console.error(err); process.exit(1); });
