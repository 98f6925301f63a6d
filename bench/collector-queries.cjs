'use strict';
// Latency of every dashboard query through the HTTP API, with 1M and 10M spans stored
// (spread over the last 24 h: 3 services, 20 routes each, 5 spans per request: the server
// span, three queries and one outgoing call; 2% errors; request metrics every 10 s). The
// store is filled with SQL (ingest has its own benchmark), then `tracekit start` opens it
// and each query runs 1 warm-up + 7 timed times; the table shows medians in ms.
//
// Usage: npm run build && node bench/collector-queries.cjs [--sizes 1000000,10000000] [--runs 7]
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startCollector, timeGet } = require('./collector-common.cjs');
const { openDb } = require('../dist/collector/store/duckdb/connection.js');
const { DURATION_BOUNDS_S } = require('../dist/metrics/histogram.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(`--${name}`); return i === -1 ? fallback : args[i + 1]; };
const SIZES = opt('sizes', '1000000,10000000').split(',').map(Number);
const RUNS = Number(opt('runs', 7));
const DAY_US = 86_400e6;
const ROUTES = 20;
const SERVICES = 3;

async function fill(path, spans) {
  const db = await openDb(path, '4GB');
  const c = db.writer;
  const nowUs = Date.now() * 1000;
  const requests = Math.floor(spans / 5);
  const gap = Math.floor(DAY_US / requests);
  const t0 = Date.now();
  await c.run(`
    INSERT INTO spans
    SELECT 'svc-' || (r % ${SERVICES}), 'inst-' || (r % ${SERVICES}), md5(r::VARCHAR), substr(md5(i::VARCHAR), 1, 16),
      CASE WHEN k = 0 THEN NULL ELSE substr(md5((r * 5)::VARCHAR), 1, 16) END,
      CASE k WHEN 0 THEN 'GET /route/' || (r % ${ROUTES}) WHEN 4 THEN 'GET' ELSE 'SELECT users' END,
      CASE k WHEN 0 THEN 2 ELSE 3 END,
      ${nowUs - DAY_US} + r * ${gap} + k * 1000,
      CASE k WHEN 0 THEN 8000 + (r % 997) * 20 ELSE 1500 + (i % 13) * 100 END,
      CASE WHEN k = 0 AND r % 50 = 0 THEN 2 ELSE 0 END, NULL,
      CASE WHEN k = 0 THEN '/route/' || (r % ${ROUTES}) END,
      CASE WHEN k IN (0, 4) THEN 'GET' END,
      CASE WHEN k = 0 THEN (CASE WHEN r % 50 = 0 THEN 500 ELSE 200 END) WHEN k = 4 THEN 200 END,
      CASE WHEN k = 4 THEN 'api-' || (r % 4) || '.internal:8080' END,
      CASE WHEN k IN (1, 2, 3) THEN 'postgresql' END,
      CASE WHEN k = 0 THEN 3 END, CASE WHEN k = 0 THEN 4.5 END, CASE WHEN k = 0 THEN 1 END,
      CASE WHEN k = 0 AND r % 100 = 7 THEN 'SELECT id FROM items WHERE order_id = $1' END,
      k = 0, CASE WHEN k > 0 THEN 'GET /route/' || (r % ${ROUTES}) END, 'tracekit',
      CASE WHEN k = 0 THEN '{"http.request.method":"GET","http.route":"/route/' || (r % ${ROUTES}) || '","url.path":"/route/' || r || '","http.response.status_code":200,"user_agent.original":"bench"}'
           ELSE '{"db.system.name":"postgresql","db.query.text":"SELECT id, name FROM users WHERE id = $1"}' END,
      NULL, NULL,
      CASE WHEN k IN (1, 2, 3) THEN 'SELECT id, name FROM users WHERE id = $' || k END, CASE WHEN k IN (1, 2, 3) THEN 1 END
    FROM (SELECT i, i // 5 AS r, i % 5 AS k FROM range(${requests * 5}) t(i))`);
  await c.run(`
    INSERT INTO call_edges
    SELECT 0, service, request_route, peer, start_us // 60000000 * 60000000, count(*), count(*) FILTER (WHERE status = 2 OR http_status >= 400)
    FROM spans WHERE peer IS NOT NULL GROUP BY ALL`);
  await c.run(`
    INSERT INTO errors
    SELECT substr(md5((r % 10)::VARCHAR), 1, 16), 'svc-' || (r % ${SERVICES}), ${nowUs - DAY_US} + r * ${gap} + 900,
      md5(r::VARCHAR), substr(md5((r * 5)::VARCHAR), 1, 16), 'GET /route/' || (r % ${ROUTES}), '/route/' || (r % ${ROUTES}),
      'Error', 'failure kind ' || (r % 10), 'Error: failure\n    at handler (/srv/app.js:' || (r % 10) || ':5)'
    FROM range(${requests}) t(r) WHERE r % 50 = 0`);
  // The code inventory: three frames per exception (two of the app's, one library frame).
  await c.run(`
    INSERT INTO error_frames
    SELECT 'svc-' || (r % ${SERVICES}), substr(md5((r % 10)::VARCHAR), 1, 16), ${nowUs - DAY_US} + r * ${gap} + 900, f.file, f.fn, f.line, f.lib
    FROM range(${requests}) t(r),
      (VALUES ('src/routes/orders.js', 'handler', 10, false), ('src/lib/db.js', 'query', 42, false), ('node_modules/router/lib/layer.js', 'Layer.handle', 100, true)) f(file, fn, line, lib)
    WHERE r % 50 = 0`);
  // The route inventory: the 20 routes that get traffic, plus 4,980 declared and never hit, per service.
  await c.run(`
    INSERT INTO route_inventory
    SELECT 'svc-' || s, 'inst-' || s, 'snap-' || s, ${nowUs}, 'GET', '/route/' || rt, 'route', 'handler' || rt,
      'src/routes/area' || (rt % 25) || '/file' || (rt % 200) || '.js', 10 + rt, 3, false
    FROM range(${SERVICES}) b(s), range(5000) c(rt)`);
  // Request metrics: one histogram and four work sums per service, route and 10 s.
  const bounds = `[${DURATION_BOUNDS_S.join(', ')}]::DOUBLE[]`;
  const nBuckets = DURATION_BOUNDS_S.length + 1;
  const perStep = Math.max(1, Math.round(requests / 8640 / (SERVICES * ROUTES)));
  await c.run(`
    INSERT INTO metric_points
    SELECT 'svc-' || s, 'inst-' || s, 'http.server.request.duration', 2, t - 10000000, t, '/route/' || rt, 'GET', st, '{}',
      NULL, ${perStep}, ${perStep} * 0.012, 0.004, 0.09, ${bounds},
      list_transform(range(${nBuckets}), b -> CASE WHEN b = 10 + (rt % 3) THEN ${perStep}::DOUBLE ELSE 0 END)
    FROM range(8640) a(step), range(${SERVICES}) b(s), range(${ROUTES}) c(rt), (VALUES (200), (500)) d(st),
      (SELECT ${nowUs} - (step * 10000000) AS t) x
    WHERE st = 200 OR (step + rt) % 50 = 0`);
  await c.run(`
    INSERT INTO histogram_buckets
    SELECT service, name, route, method, http_status, time_us, 10 + (regexp_extract(route, '\\d+$')::INT % 3), count
    FROM metric_points WHERE kind = 2`);
  await c.run(`
    INSERT INTO metric_points
    SELECT 'svc-' || s, 'inst-' || s, n, 1, t - 10000000, t, '/route/' || rt, 'GET', 200, '{}', v * ${perStep}, NULL, NULL, NULL, NULL, NULL, NULL
    FROM range(8640) a(step), range(${SERVICES}) b(s), range(${ROUTES}) c(rt),
      (VALUES ('tracekit.request.db.queries', 3.0), ('tracekit.request.db.duration', 0.0045), ('tracekit.request.outgoing.calls', 1.0), ('tracekit.request.n_plus_one', 0.01)) d(n, v),
      (SELECT ${nowUs} - (step * 10000000) AS t) x`);
  await c.run(`
    INSERT INTO metric_points
    SELECT 'svc-' || s, 'inst-' || s, n, 0, t, t, NULL, NULL, NULL, '{}', v, NULL, NULL, NULL, NULL, NULL, NULL
    FROM range(8640) a(step), range(${SERVICES}) b(s),
      (VALUES ('http.server.active_requests', 2.0), ('process.cpu.utilization', 0.3), ('process.memory.usage', 120e6), ('v8js.memory.heap.used', 40e6),
        ('v8js.memory.heap.limit', 60e6), ('nodejs.eventloop.utilization', 0.2), ('nodejs.eventloop.delay.p50', 0.01), ('nodejs.eventloop.delay.p99', 0.012)) d(n, v),
      (SELECT ${nowUs} - (step * 10000000) AS t) x`);
  await c.run('CHECKPOINT');
  const [counts] = (await c.runAndReadAll('SELECT (SELECT count(*) FROM spans) s, (SELECT count(*) FROM metric_points) m, (SELECT count(*) FROM errors) e')).getRowObjectsJS();
  db.reader.closeSync();
  db.sweeper.closeSync();
  db.writer.closeSync();
  db.instance.closeSync();
  return { seconds: (Date.now() - t0) / 1000, spans: Number(counts.s), metricPoints: Number(counts.m), errors: Number(counts.e) };
}

async function main() {
  const results = [];
  for (const size of SIZES) {
    const dir = mkdtempSync(join(tmpdir(), 'tk-qbench-'));
    const path = join(dir, 'q.duckdb');
    const filled = await fill(path, size);
    console.error(`filled ${filled.spans} spans, ${filled.metricPoints} metric points, ${filled.errors} errors in ${filled.seconds}s`);
    const collector = await startCollector({ dbPath: path, args: ['--memory-limit', '2GB'] });
    try {
      const base = `${collector.url}/api`;
      const [sample] = await (await fetch(`${base}/traces?service=svc-0&window=1h&limit=1`)).json();
      const queries = {
        services: 'services?window=WIN',
        overview: 'overview?service=svc-0&window=WIN',
        series: 'series?service=svc-0&window=WIN',
        routes: 'routes?service=svc-0&window=WIN',
        errors: 'errors?service=svc-0&window=WIN',
        code: 'code?service=svc-0&window=WIN',
        'code/routes (5,000 declared)': 'code/routes?service=svc-0&window=WIN',
        'code/routes (one folder)': 'code/routes?service=svc-0&window=WIN&folder=src/routes/area3',
        'code/tree': 'code/tree?service=svc-0&window=WIN',
        outgoing: 'outgoing?service=svc-0&window=WIN',
        graph: 'graph?window=WIN',
        'traces (search)': 'traces?service=svc-0&window=WIN',
        'traces (route, 5xx, ≥20 ms)': 'traces?service=svc-0&route=/route/3&status=5xx&minDurationMs=20&window=WIN',
        'traces (attribute in JSON)': 'traces?window=WIN&attr=url.path~/route/77',
        'traces (attribute in a column)': 'traces?window=WIN&attr=http.response.status_code%3D500',
        'trace by id': `traces/${sample.traceId}`,
        queries: 'queries?window=WIN',
        'route page': 'route?service=svc-0&method=GET&route=/route/3&window=WIN',
        'service map': 'service-map?window=WIN',
        runtime: 'runtime?window=WIN',
      };
      for (const [name, q] of Object.entries(queries)) {
        const row = { size, query: name };
        for (const win of ['1h', '24h']) row[win] = Number((await timeGet(`${base}/${q.replace('WIN', win)}`, RUNS)).toFixed(1));
        results.push(row);
        console.error(JSON.stringify(row));
      }
    } finally {
      await collector.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('| spans stored | query | 1h window (ms) | 24h window (ms) |');
  console.log('|---:|---|---:|---:|');
  for (const r of results) console.log(`| ${(r.size / 1e6).toFixed(0)}M | ${r.query} | ${r['1h']} | ${r['24h']} |`);
}

module.exports = { fill };
if (require.main === module) main().catch((err) => { console.error(err); process.exit(1); });
