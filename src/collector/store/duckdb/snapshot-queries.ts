/** Live-debugging snapshots as stored: lists (newest first) and one snapshot with its body. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SnapshotDetail, SnapshotQuery, SnapshotSummary } from '../store';
import { readRows, type SqlParams } from './connection';

/** The store keeps at most this many snapshots; the sweep removes the oldest beyond it. */
export const MAX_STORED_SNAPSHOTS = 10_000;

const COLUMNS = 'id, service, instance, breakpoint_id, time_us, trace_id, span_id, label, file, line, function';

function summary(r: Record<string, unknown>): SnapshotSummary {
  return {
    id: String(r.id), service: String(r.service), instance: String(r.instance), breakpointId: String(r.breakpoint_id),
    timeMs: Number(r.time_us) / 1000, traceId: r.trace_id === null ? null : String(r.trace_id), spanId: r.span_id === null ? null : String(r.span_id),
    label: r.label === null ? null : String(r.label), file: String(r.file), line: Number(r.line), function: String(r.function),
  };
}

/** Snapshots matching the filters, newest first. */
export async function snapshots(conn: DuckDBConnection, q: SnapshotQuery): Promise<SnapshotSummary[]> {
  const where: string[] = [];
  const params: SqlParams = [];
  const filters: [string, string | undefined][] = [['service', q.service], ['breakpoint_id', q.breakpointId], ['trace_id', q.traceId], ['span_id', q.spanId]];
  for (const [column, value] of filters) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  params.push(q.limit);
  const rows = await readRows(conn, `SELECT ${COLUMNS} FROM snapshots ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY time_us DESC LIMIT ?`, params);
  return rows.map(summary);
}

/** One snapshot with its body, or undefined. */
export async function snapshot(conn: DuckDBConnection, id: string): Promise<SnapshotDetail | undefined> {
  const [r] = await readRows(conn, `SELECT ${COLUMNS}, body FROM snapshots WHERE id = ?`, [id]);
  if (r === undefined) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(String(r.body));
  } catch {
    body = { unreadable: String(r.body).slice(0, 2000) };
  }
  return { ...summary(r), body };
}

/** Removes the oldest snapshots beyond {@link MAX_STORED_SNAPSHOTS}; returns how many. */
export async function capSnapshots(conn: DuckDBConnection): Promise<number> {
  const r = await conn.run(`DELETE FROM snapshots WHERE id IN (SELECT id FROM snapshots ORDER BY time_us DESC OFFSET ${MAX_STORED_SNAPSHOTS})`);
  return r.rowsChanged;
}
