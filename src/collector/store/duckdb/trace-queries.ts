/** Trace search (entry spans matching filters) and one whole trace by id. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { SpanDetail, TraceDetail, TraceQuery, TraceSummary } from '../store';
import { readRows, type SqlParams } from './connection';
import { scopeWhere } from './sql-scope';
import { traceLogs } from './log-queries';

function statusFilter(status: string, params: SqlParams): string {
  if (status === 'error') return '(status = 2 OR http_status >= 500)';
  if (status === 'ok') return '(status <> 2 AND coalesce(http_status, 0) < 500)';
  const cls = /^([1-5])xx$/i.exec(status);
  if (cls) {
    params.push(Number(cls[1]) * 100);
    return 'http_status // 100 * 100 = ?';
  }
  params.push(Number(status));
  return 'http_status = ?';
}

/** Entry spans (one per service request) matching the query, newest first. */
export async function searchTraces(conn: DuckDBConnection, q: TraceQuery): Promise<TraceSummary[]> {
  const params: SqlParams = [];
  const where = ['is_entry', scopeWhere(q, 'start_us', params)];
  if (q.route === '(unmatched)') {
    // A request no route matched: the server span carries no http.route, and its name is the method.
    where.push('route = method');
  } else if (q.route !== undefined) {
    params.push(q.route);
    where.push('route = ?');
  }
  if (q.method !== undefined) {
    params.push(q.method);
    where.push('method = ?');
  }
  if (q.status !== undefined) where.push(statusFilter(q.status, params));
  if (q.minDurationMs !== undefined) {
    params.push(BigInt(Math.round(q.minDurationMs * 1000)));
    where.push('duration_us >= ?');
  }
  if (q.traceId !== undefined) {
    params.push(q.traceId);
    where.push('trace_id = ?');
  }
  params.push(q.limit);
  const rows = await readRows(conn, `
    SELECT trace_id, span_id, service, name, route, method, http_status, status, start_us, duration_us
    FROM spans WHERE ${where.join(' AND ')} ORDER BY ${q.order === 'slowest' ? 'duration_us DESC' : 'start_us DESC'} LIMIT ?`, params);
  return rows.map((r) => ({
    traceId: String(r.trace_id), spanId: String(r.span_id), service: String(r.service), name: String(r.name),
    route: (r.route as string | null) ?? null, method: (r.method as string | null) ?? null,
    httpStatus: r.http_status === null ? null : Number(r.http_status),
    error: Number(r.status) === 2 || Number(r.http_status ?? 0) >= 500,
    startMs: Number(r.start_us) / 1000, durationMs: Number(r.duration_us) / 1000,
  }));
}

function parseJson(text: unknown, fallback: unknown): unknown {
  if (typeof text !== 'string') return fallback;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return fallback;
  }
}

/** Every span of one trace, in start order. */
export async function trace(conn: DuckDBConnection, traceId: string): Promise<TraceDetail | undefined> {
  const rows = await readRows(conn, `
    SELECT trace_id, span_id, parent_id, service, instance, name, kind, start_us, duration_us, status, status_message, scope, attributes, events, links
    FROM spans WHERE trace_id = ? ORDER BY start_us, span_id`, [traceId]);
  if (rows.length === 0) return undefined;
  const spans: SpanDetail[] = rows.map((r) => ({
    traceId: String(r.trace_id), spanId: String(r.span_id), parentId: (r.parent_id as string | null) ?? null,
    service: String(r.service), instance: String(r.instance), name: String(r.name), kind: Number(r.kind),
    startMs: Number(r.start_us) / 1000, durationMs: Number(r.duration_us) / 1000, status: Number(r.status),
    statusMessage: (r.status_message as string | null) ?? null, scope: String(r.scope),
    attributes: parseJson(r.attributes, {}) as Record<string, unknown>, events: parseJson(r.events, []) as unknown[], links: parseJson(r.links, []) as unknown[],
  }));
  // Records are stamped by the app's clock like its spans: a minute's margin either side.
  let from = Infinity;
  let to = -Infinity;
  for (const s of spans) {
    from = Math.min(from, s.startMs);
    to = Math.max(to, s.startMs + s.durationMs);
  }
  const logs = await traceLogs(conn, traceId, (from - 60_000) * 1000, (to + 60_000) * 1000);
  return { traceId, spans, logs };
}
