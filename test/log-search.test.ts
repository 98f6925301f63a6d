/**
 * Log text search over a big store: it reads the window newest first in slices and may stop
 * early to stay fast. Whether it stops or not (that depends on the machine), what it answers is
 * right: the newest matches of the part it read, and reading on from where it stopped gives the
 * next ones, until together they are exactly what a plain scan finds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDb } from '../dist/collector/store/duckdb/connection';
import { searchLogs } from '../dist/collector/store/duckdb/log-queries';
import { tempDbPath } from './helpers/collector';

test('a sliced text search gives exactly the matches of a full scan, page after page', async () => {
  const db = await openDb(tempDbPath(), '1GB');
  try {
    const nowUs = Date.now() * 1000;
    const dayUs = 86_400e6;
    const rows = 2_000_000;
    // One record in 997 mentions "needle-7"; the rest are noise. Spread over the last 24 h.
    await db.writer.run(`
      INSERT INTO logs
      SELECT 'svc', 'inst', ${nowUs - dayUs} + i * ${Math.floor(dayUs / rows)}, 9, 'INFO',
        CASE WHEN i % 997 = 0 THEN 'found needle-7 in order ' || i ELSE 'routine record ' || (i % 5000) END,
        NULL, NULL, '{}'
      FROM range(${rows}) t(i)`);
    const [{ n }] = (await db.reader.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM logs WHERE contains(lower(body), 'needle-7')`)).getRowObjectsJS() as { n: number }[];
    const expected = (await db.reader.runAndReadAll(`SELECT body FROM logs WHERE contains(lower(body), 'needle-7') ORDER BY time_us DESC`)).getRowObjectsJS().map((r) => String(r.body));
    assert.equal(expected.length, n);
    const fromUs = nowUs - dayUs - 1;
    const got: string[] = [];
    let toUs = nowUs + 1;
    let pages = 0;
    for (;;) {
      const page = await searchLogs(db.reader, { service: 'svc', fromUs, toUs, openEnded: false, minSeverity: undefined, text: 'NEEDLE-7', traceId: undefined, spanId: undefined, limit: 1000 });
      pages++;
      for (const l of page.logs) {
        assert.ok(l.timeMs * 1000 > page.searchedFromMs * 1000 - 1, 'every record is within the part read');
        got.push(l.body);
      }
      if (page.complete && page.logs.length < 1000) break;
      // A partial page, or a full one: read on from where it stopped.
      assert.ok(page.searchedFromMs * 1000 < toUs, 'each page reads further back');
      toUs = page.searchedFromMs * 1000;
      assert.ok(pages < 500, 'pages end');
    }
    assert.deepEqual(got, expected);
  } finally {
    for (const c of [db.reader, db.sweeper, db.writer]) c.closeSync();
    db.instance.closeSync();
  }
});
