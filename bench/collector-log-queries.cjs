'use strict';
// Latency of the Logs view's queries through the HTTP API with 10M log records stored (spread
// over the last 24 h: 3 services, severities from debug to error, a message from 50 templates,
// two fields, a trace id on four records of five) and 10M spans. The store is filled with SQL, then
// `tracekit start` opens it and each query runs 1 warm-up + RUNS timed times; medians in ms.
//
// Usage: npm run build && node bench/collector-log-queries.cjs [--rows 10000000] [--runs 7]
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { startCollector, timeGet } = require('./collector-common.cjs');
const { openDb } = require('../dist/collector/store/duckdb/connection.js');
const { option } = require('./args.cjs');

const ROWS = Number(option('rows', '10000000'));
const RUNS = Number(option('runs', '7'));
const DAY_US = 86_400e6;

async function fill(path) {
  const db = await openDb(path, '4GB');
  const nowUs = Date.now() * 1000;
  const gap = Math.floor(DAY_US / ROWS);
  const t0 = Date.now();
  await db.writer.run(`
    INSERT INTO logs
    SELECT 'svc-' || (i % 3), 'inst-' || (i % 3), ${nowUs - DAY_US} + i * ${gap},
      [5, 9, 9, 9, 13, 17][1 + (i % 6)], ['DEBUG', 'INFO', 'INFO', 'INFO', 'WARN', 'ERROR'][1 + (i % 6)],
      'order ' || (i % 9973) || ' event ' || (i % 50) || ' handled for customer ' || (i % 1000),
      CASE WHEN i % 5 = 0 THEN NULL ELSE md5((i // 4)::VARCHAR) END,
      CASE WHEN i % 5 = 0 THEN NULL ELSE substr(md5(i::VARCHAR), 1, 16) END,
      '{"log.source":"pino","orderId":' || (i % 9973) || ',"region":"eu-' || (i % 4) || '"}'
    FROM range(${ROWS}) t(i)`);
  await db.writer.run('CHECKPOINT');
  const [row] = (await db.writer.runAndReadAll(`SELECT trace_id, time_us FROM logs WHERE trace_id IS NOT NULL AND time_us > ${nowUs - 1800e6} LIMIT 1`)).getRowObjectsJS();
  // 10M spans beside them, one of which is the queried trace's (the Logs view looks a trace up in the spans first).
  await db.writer.run(`
    INSERT INTO spans
    SELECT 'svc-' || (i % 3), 'inst-' || (i % 3), md5('span' || i::VARCHAR), substr(md5(i::VARCHAR), 1, 16), NULL, 'GET /x', 2,
      ${nowUs - DAY_US} + i * ${Math.floor(DAY_US / ROWS)}, 5000, 0, NULL, '/x', 'GET', 200, NULL, NULL, NULL, NULL, NULL, NULL, true, NULL, 'tracekit', '{}', NULL, NULL
    FROM range(${ROWS}) t(i)`);
  await db.writer.run(`INSERT INTO spans VALUES ('svc-0', 'inst-0', ?, 'aaaaaaaaaaaaaaaa', NULL, 'GET /y', 2, ?, 5000, 0, NULL, '/y', 'GET', 200, NULL, NULL, NULL, NULL, NULL, NULL, true, NULL, 'tracekit', '{}', NULL, NULL)`, [String(row.trace_id), BigInt(row.time_us) - 1000n]);
  await db.writer.run('CHECKPOINT');
  for (const c of [db.reader, db.sweeper, db.writer]) c.closeSync();
  db.instance.closeSync();
  return { seconds: (Date.now() - t0) / 1000, traceId: String(row.trace_id) };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tk-logbench-'));
  const path = join(dir, 'l.duckdb');
  try {
    const filled = await fill(path);
    console.error(`filled ${ROWS} log records in ${filled.seconds}s`);
    const collector = await startCollector({ dbPath: path, args: ['--memory-limit', '2GB'] });
    try {
      const queries = {
        'newest page (200)': 'logs?service=svc-0&window=WIN',
        'errors only': 'logs?service=svc-0&window=WIN&severity=error',
        'text (a rare word)': 'logs?service=svc-0&window=WIN&q=order%209971%20',
        'text (no match)': 'logs?service=svc-0&window=WIN&q=nothing-like-this',
        'one trace': `logs?window=WIN&traceId=${filled.traceId}`,
      };
      console.log(`| ${(ROWS / 1e6).toFixed(0)}M log records | 1h window (ms) | 24h window (ms) |`);
      console.log('|---|---:|---:|');
      for (const [name, q] of Object.entries(queries)) {
        const row = [];
        for (const win of ['1h', '24h']) row.push((await timeGet(`${collector.url}/api/${q.replace('WIN', win)}`, RUNS)).toFixed(1));
        console.log(`| ${name} | ${row[0]} | ${row[1]} |`);
      }
    } finally {
      await collector.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
