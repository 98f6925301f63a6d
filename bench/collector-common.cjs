'use strict';
// Shared by the collector benchmarks: starting `tracekit start` (optionally pinned to one
// CPU), reading its CPU time, and synthetic telemetry shaped like the agent's.
const { readFileSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { ROOT, startProcess, stopProcess } = require('./processes.cjs');

/** Starts the collector (pinned to `cpu` if given); resolves with its URL once it listens. */
async function startCollector({ cpu, dbPath, args = [] } = {}) {
  const db = dbPath || join(mkdtempSync(join(tmpdir(), 'tk-bench-')), 'bench.duckdb');
  const argv = [process.execPath, join(ROOT, 'bin', 'tracekit'), 'start', '--port', '0', '--db', db, ...args];
  const cmd = cpu === undefined ? argv : ['taskset', '-c', String(cpu), ...argv];
  const { child, match } = await startProcess(cmd, { ready: /listening on (http:\/\/\S+)/ });
  return { child, url: match[1], dbPath: db, stop: () => stopProcess(child) };
}

/** User+system CPU seconds used so far by a process (Linux /proc). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const ROUTES = ['/users/:id', '/orders', '/orders/:id', '/products', '/products/:id', '/cart', '/checkout', '/search', '/login', '/health'];
const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += ((Math.random() * 16) | 0).toString(16); return s; };

/** One request's spans as the agent makes them: server, three queries, one outgoing call. */
function requestSpans(startMs, i) {
  const traceId = hex(32);
  const root = hex(16);
  const route = ROUTES[i % ROUTES.length];
  const status = i % 50 === 0 ? 500 : 200;
  const common = { traceId, traceState: undefined, links: undefined, droppedAttributes: 0, droppedEvents: 0, scopeName: 'tracekit', scopeVersion: '0.1.0', statusMessage: undefined };
  const spans = [{
    ...common, spanId: root, parentSpanId: undefined, name: `GET ${route}`, kind: 2, startMs, endMs: startMs + 12 + (i % 7),
    attributes: { 'http.request.method': 'GET', 'http.route': route, 'url.path': route.replace(':id', String(i)), 'url.scheme': 'http', 'http.response.status_code': status, 'server.address': 'localhost', 'server.port': 3000, 'client.address': '127.0.0.1', 'user_agent.original': 'bench/1.0', 'tracekit.db.count': 3, 'tracekit.db.duration_ms': 4.2 },
    events: status === 500 ? [{ name: 'exception', timeMs: startMs + 10, attributes: { 'exception.type': 'Error', 'exception.message': `failed ${i}`, 'exception.stacktrace': 'Error: failed\n    at handler (/srv/app.js:10:5)\n    at next (/srv/node_modules/express/lib/router.js:20:3)' } }] : undefined,
    statusCode: status === 500 ? 2 : 0,
  }];
  for (let q = 0; q < 3; q++) {
    spans.push({ ...common, spanId: hex(16), parentSpanId: root, name: 'SELECT users', kind: 3, startMs: startMs + 1 + q * 3, endMs: startMs + 2.4 + q * 3,
      attributes: { 'db.system.name': 'postgresql', 'db.namespace': 'test', 'db.operation.name': 'SELECT', 'db.collection.name': 'users', 'db.query.text': 'SELECT id, name, email FROM users WHERE id = $1 AND active = $2', 'server.address': '127.0.0.1', 'server.port': 5432 }, events: undefined, statusCode: 0 });
  }
  spans.push({ ...common, spanId: hex(16), parentSpanId: root, name: 'GET', kind: 3, startMs: startMs + 10, endMs: startMs + 11.5,
    attributes: { 'http.request.method': 'GET', 'url.full': 'http://api.internal:8080/v1/prices', 'server.address': 'api.internal', 'server.port': 8080, 'http.response.status_code': 200 }, events: undefined, statusCode: 0 });
  return spans;
}

/** Median ms of `runs` GETs of `url` after one warm-up; a non-200 answer fails the run. */
async function timeGet(url, runs) {
  const times = [];
  for (let i = 0; i <= runs; i++) {
    const t = process.hrtime.bigint();
    const res = await fetch(url);
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${url}: ${res.status} ${body}`);
    if (i > 0) times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

module.exports = { ROOT, ROUTES, startCollector, cpuSeconds, requestSpans, hex, timeGet };
