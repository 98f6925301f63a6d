#!/usr/bin/env node
'use strict';
/*
 * How long one big ingest request holds the collector's event loop. A client polls
 * /api/status every 10 ms while another sends one large request: 95,000 spans, then a metrics
 * request of 1,000 histogram points with 960 non-zero buckets each (960,000 bucket rows). The
 * slowest /api/status answer during the request is how long the server could not answer.
 *
 *   node bench/collector-blocking.cjs                 # this checkout's build
 *   node bench/collector-blocking.cjs --root DIR      # another checkout's build, to compare
 *   node bench/collector-blocking.cjs --rounds 3
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, resolve } = require('node:path');
const { randomBytes } = require('node:crypto');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i === -1 ? fallback : args[i + 1];
};
const ROOT = resolve(opt('--root', join(__dirname, '..')));
const ROUNDS = Number(opt('--rounds', '3'));
// The official OTLP protos, compiled by protobufjs (a dev dependency of this project).
const root = require(join(__dirname, '..', 'node_modules', '@opentelemetry', 'otlp-transformer', 'build', 'src', 'generated', 'root.js'));
const collectorProto = root.opentelemetry.proto.collector;

function encode(type, object) {
  return Buffer.from(type.encode(type.fromObject(object)).finish());
}

function spansRequest(count) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = [];
  for (let i = 0; i < count; i++) {
    spans.push({
      traceId: randomBytes(16), spanId: randomBytes(8), name: 'GET /items/:id', kind: 2,
      startTimeUnixNano: String(now - 5_000_000n), endTimeUnixNano: String(now),
      attributes: [{ key: 'http.route', value: { stringValue: '/items/:id' } }, { key: 'http.response.status_code', value: { intValue: 200 } }],
    });
  }
  return encode(collectorProto.trace.v1.ExportTraceServiceRequest, { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'blocking-bench' } }] }, scopeSpans: [{ spans }] }] });
}

function bucketsRequest(points, buckets) {
  const now = BigInt(Date.now()) * 1_000_000n;
  const bounds = Array.from({ length: buckets - 1 }, (_, i) => i + 1);
  const counts = Array.from({ length: buckets }, () => '1');
  const dataPoints = [];
  for (let i = 0; i < points; i++) {
    dataPoints.push({ startTimeUnixNano: String(now - 10_000_000_000n), timeUnixNano: String(now), count: String(buckets), sum: 1, explicitBounds: bounds, bucketCounts: counts, attributes: [{ key: 'http.route', value: { stringValue: `/r${i}` } }] });
  }
  return encode(collectorProto.metrics.v1.ExportMetricsServiceRequest, { resourceMetrics: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'blocking-bench' } }] }, scopeMetrics: [{ metrics: [{ name: 'bench.histogram', unit: 's', histogram: { aggregationTemporality: 1, dataPoints } }] }] }] });
}

function startCollector(dir) {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, [join(ROOT, 'bin', 'tracekit'), 'start', '--port', '0', '--db', join(dir, 'bench.duckdb'), '--max-queue', '2000000', '--max-body', '64MB'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok({ proc, url: m[1] });
    });
    proc.on('exit', (code) => fail(new Error(`collector exited (${code})`)));
  });
}

/** Polls /api/status until `done` resolves; returns the slowest answer and the 99th percentile, in ms. */
async function pollWhile(url, done) {
  const times = [];
  let finished = false;
  void done.then(() => (finished = true), () => (finished = true));
  while (!finished) {
    const t0 = performance.now();
    await fetch(`${url}/api/status`).then((r) => r.arrayBuffer());
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  times.sort((a, b) => a - b);
  return { max: times[times.length - 1] ?? 0, p99: times[Math.floor(times.length * 0.99)] ?? 0, polls: times.length };
}

async function measure(url, path, body) {
  const t0 = performance.now();
  const sent = fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body }).then(async (r) => {
    await r.arrayBuffer();
    return r.status;
  });
  const poll = await pollWhile(url, sent);
  return { status: await sent, answerMs: performance.now() - t0, ...poll };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  console.log(`building requests (official protos)...`);
  const spans = spansRequest(95_000);
  const buckets = bucketsRequest(1000, 960);
  console.log(`spans request ${(spans.length / 1e6).toFixed(1)} MB, buckets request ${(buckets.length / 1e6).toFixed(1)} MB; collector from ${ROOT}`);
  const results = { spans: [], buckets: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'tracekit-blocking-'));
    const c = await startCollector(dir);
    try {
      for (const [name, path, body] of [['spans', '/v1/traces', spans], ['buckets', '/v1/metrics', buckets]]) {
        const r = await measure(c.url, path, body);
        results[name].push(r);
        console.log(`round ${round + 1} ${name}: HTTP ${r.status}, answered in ${r.answerMs.toFixed(0)} ms; /api/status slowest ${r.max.toFixed(0)} ms, p99 ${r.p99.toFixed(0)} ms over ${r.polls} polls`);
      }
    } finally {
      c.proc.kill('SIGTERM');
      await new Promise((r) => c.proc.on('exit', r));
      rmSync(dir, { recursive: true, force: true });
    }
  }
  for (const name of ['spans', 'buckets']) {
    const rs = results[name];
    console.log(`${name}: median slowest /api/status ${median(rs.map((r) => r.max)).toFixed(0)} ms, median answer ${median(rs.map((r) => r.answerMs)).toFixed(0)} ms (${rs.length} rounds)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
