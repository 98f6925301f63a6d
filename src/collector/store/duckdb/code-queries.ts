/**
 * The code inventory: every function that appeared in a stored exception's stack, from the
 * `error_frames` rows written at ingest. A function keeps its identity (service, file,
 * function) when it moves a few lines; the line shown is from its latest stack.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { CodeEntry, CodeQuery } from '../store';
import { readRows, type SqlParams } from './connection';
import { likePrefix, scopeWhere } from './sql-scope';

/** The functions seen in the window, with first (ever) and last seen, busiest or latest first. */
export async function codeInventory(conn: DuckDBConnection, q: CodeQuery): Promise<CodeEntry[]> {
  const params: SqlParams = [];
  let where = scopeWhere(q, 'time_us', params);
  if (q.filePrefix !== undefined) {
    where += " AND file LIKE ? ESCAPE '\\'";
    params.push(likePrefix(q.filePrefix));
  }
  if (!q.library) where += ' AND NOT library';
  params.push(q.limit);
  const order = q.sort === 'lastSeen' ? 'w.last_us DESC, w.occurrences DESC' : 'w.occurrences DESC, w.last_us DESC';
  const rows = await readRows(conn, `
    WITH w AS (
      SELECT service, file, function, arg_max(line, time_us) AS line, bool_or(library) AS library,
             count(*) AS occurrences, max(time_us) AS last_us, list(DISTINCT fingerprint ORDER BY fingerprint) AS groups
      FROM error_frames WHERE ${where}
      GROUP BY service, file, function
    ), first AS (
      SELECT f.service, f.file, f.function, min(f.time_us) AS first_us
      FROM error_frames f SEMI JOIN w ON f.service = w.service AND f.file = w.file AND f.function = w.function
      GROUP BY ALL
    )
    SELECT w.*, first.first_us FROM w JOIN first USING (service, file, function)
    ORDER BY ${order}, w.file, w.function LIMIT ?`, params);
  return rows.map((r) => ({
    service: String(r.service),
    file: String(r.file),
    function: String(r.function),
    line: Number(r.line),
    library: r.library === true,
    occurrences: Number(r.occurrences),
    firstSeenMs: Number(r.first_us) / 1000,
    lastSeenMs: Number(r.last_us) / 1000,
    groups: (r.groups as unknown[]).map(String),
  }));
}
