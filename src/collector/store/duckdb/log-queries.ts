/**
 * Log records: a filtered page, newest first (the Logs view), and the records of one trace (the
 * waterfall). Both are bounded in time first, so the scan stays within the window's row groups.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogEntry, LogQuery } from '../store';
import { readRows, type SqlParams } from './connection';
import { scopeWhere } from './sql-scope';

function parseAttributes(v: unknown): Record<string, unknown> {
  if (typeof v !== 'string') return {};
  try {
    return JSON.parse(v) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function entries(rows: Record<string, unknown>[]): LogEntry[] {
  return rows.map((r) => ({
    timeMs: Number(r.time_us) / 1000,
    service: String(r.service),
    instance: String(r.instance),
    severity: Number(r.severity),
    severityText: String(r.severity_text),
    body: String(r.body),
    traceId: (r.trace_id as string | null) ?? null,
    spanId: (r.span_id as string | null) ?? null,
    attributes: parseAttributes(r.attributes),
  }));
}

const COLUMNS = 'time_us, service, instance, severity, severity_text, body, trace_id, span_id, attributes';

/** A page of log records matching the filters, newest first. */
export async function searchLogs(conn: DuckDBConnection, q: LogQuery): Promise<LogEntry[]> {
  const params: SqlParams = [];
  let where = scopeWhere(q, 'time_us', params);
  if (q.minSeverity !== undefined) {
    where += ' AND severity >= ?';
    params.push(q.minSeverity);
  }
  if (q.traceId !== undefined) {
    where += ' AND trace_id = ?';
    params.push(q.traceId);
  }
  if (q.spanId !== undefined) {
    where += ' AND span_id = ?';
    params.push(q.spanId);
  }
  if (q.text !== undefined) {
    // contains(lower(...)) rather than ILIKE '%...%': the same answer, about three times faster in DuckDB.
    const needle = q.text.toLowerCase();
    where += ' AND (contains(lower(body), ?) OR contains(lower(attributes), ?))';
    params.push(needle, needle);
  }
  params.push(q.limit);
  return entries(await readRows(conn, `SELECT ${COLUMNS} FROM logs WHERE ${where} ORDER BY time_us DESC LIMIT ?`, params));
}

/** The records of one trace written between `fromUs` and `toUs` (its spans' extent, with a margin), oldest first. */
export async function traceLogs(conn: DuckDBConnection, traceId: string, fromUs: number, toUs: number): Promise<LogEntry[]> {
  const rows = await readRows(conn, `SELECT ${COLUMNS} FROM logs WHERE time_us >= ? AND time_us <= ? AND trace_id = ? ORDER BY time_us LIMIT 1000`, [
    BigInt(Math.trunc(fromUs)),
    BigInt(Math.trunc(toUs)),
    traceId,
  ]);
  return entries(rows);
}
