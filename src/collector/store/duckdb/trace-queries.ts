/** Trace search (entry spans matching filters) and one whole trace by id. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AttributeFilter, SpanDetail, TraceDetail, TraceQuery, TraceRow, TraceSummary } from '../store';
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

/** The WHERE clause for entry spans matching the query's request filters. */
function entryWhere(q: TraceQuery, params: SqlParams): string[] {
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
  if (q.maxDurationMs !== undefined) {
    params.push(BigInt(Math.round(q.maxDurationMs * 1000)));
    where.push('duration_us <= ?');
  }
  if (q.traceId !== undefined) {
    params.push(q.traceId);
    where.push('trace_id = ?');
  }
  return where;
}

function summaryOf(r: Record<string, unknown>): TraceSummary {
  return {
    traceId: String(r.trace_id), spanId: String(r.span_id), service: String(r.service), name: String(r.name),
    route: (r.route as string | null) ?? null, method: (r.method as string | null) ?? null,
    httpStatus: r.http_status === null || r.http_status === undefined ? null : Number(r.http_status),
    error: Number(r.status) === 2 || Number(r.http_status ?? 0) >= 500,
    startMs: Number(r.start_us) / 1000, durationMs: Number(r.duration_us) / 1000,
  };
}

/** Entry spans (one per service request) matching the query, newest (or slowest) first. */
export async function searchTraces(conn: DuckDBConnection, q: TraceQuery): Promise<TraceSummary[]> {
  const params: SqlParams = [];
  const where = entryWhere(q, params);
  params.push(q.limit);
  const rows = await readRows(conn, `
    SELECT trace_id, span_id, service, name, route, method, http_status, status, start_us, duration_us
    FROM spans WHERE ${where.join(' AND ')} ORDER BY ${q.order === 'slowest' ? 'duration_us DESC' : 'start_us DESC'} LIMIT ?`, params);
  return rows.map(summaryOf);
}

/**
 * Attributes the store also keeps in a column: a filter on them reads the column instead of
 * parsing every span's JSON.
 */
const ATTRIBUTE_COLUMNS: Record<string, string> = {
  'http.response.status_code': 'CAST(http_status AS VARCHAR)',
  'http.route': 'route',
  'http.request.method': 'method',
  'db.query.text': 'db_statement',
  'db.system.name': 'db_system',
};

/** A span condition for one attribute filter. */
function attributeCondition(f: AttributeFilter, params: SqlParams): string {
  let value = ATTRIBUTE_COLUMNS[f.key];
  if (value === undefined) {
    // The key is a parameter of the JSON path, quoted so dots stay part of it.
    params.push(`$."${f.key.replace(/["\\]/g, '')}"`);
    value = 'json_extract_string(attributes, ?)';
  }
  if (f.op === 'exists') return `${value} IS NOT NULL`;
  params.push(f.op === 'contains' ? f.value.toLowerCase() : f.value);
  return f.op === 'contains' ? `contains(lower(${value}), ?)` : `${value} = ?`;
}

/** How far around the scope a trace's other spans may lie. */
const TRACE_MARGIN_US = 10 * 60 * 1e6;

/**
 * One row per trace that has a request matching the request filters and, for each attribute
 * filter and the span-name filter, some span that matches it. The row names the trace's root
 * request (its earliest entry span), the services in it, its span count and failed spans.
 */
export async function findTraces(conn: DuckDBConnection, q: TraceQuery): Promise<TraceRow[]> {
  const params: SqlParams = [];
  const where = entryWhere(q, params);
  // Each condition pushes its parameters after the scope's, in the order the SQL reads them.
  const spanConditions: ((p: SqlParams) => string)[] = (q.attributes ?? []).map((f) => (p) => attributeCondition(f, p));
  const spanName = q.spanName;
  if (spanName !== undefined) {
    spanConditions.push((p) => {
      p.push(spanName.toLowerCase());
      return 'contains(lower(name), ?)';
    });
  }
  for (const condition of spanConditions) {
    const inner = scopeWhere({ ...q, service: undefined, fromUs: q.fromUs - TRACE_MARGIN_US, toUs: q.toUs + TRACE_MARGIN_US }, 'start_us', params);
    where.push(`trace_id IN (SELECT trace_id FROM spans WHERE ${inner} AND ${condition(params)})`);
  }
  params.push(q.limit);
  const around: SqlParams = [BigInt(Math.trunc(q.fromUs - TRACE_MARGIN_US))];
  let bound = 's.start_us > ?';
  if (q.openEnded !== true) {
    around.push(BigInt(Math.trunc(q.toUs + TRACE_MARGIN_US)));
    bound += ' AND s.start_us <= ?';
  }
  const order = q.order === 'slowest' ? 'd DESC' : 't DESC';
  const rows = await readRows(conn, `
    WITH m AS (
      SELECT trace_id, max(start_us) AS t, max(duration_us) AS d FROM spans WHERE ${where.join(' AND ')}
      GROUP BY trace_id ORDER BY ${order} LIMIT ?
    )
    SELECT m.trace_id, any_value(m.t) AS t, any_value(m.d) AS d, count(*) AS n, list(DISTINCT s.service ORDER BY s.service) AS services,
           count(*) FILTER (WHERE s.status = 2 OR (s.is_entry AND s.http_status >= 500)) AS errors,
           arg_min(s.span_id, s.start_us) FILTER (WHERE s.is_entry) AS span_id, arg_min(s.service, s.start_us) FILTER (WHERE s.is_entry) AS service,
           arg_min(s.name, s.start_us) FILTER (WHERE s.is_entry) AS name, arg_min(s.route, s.start_us) FILTER (WHERE s.is_entry) AS route,
           arg_min(s.method, s.start_us) FILTER (WHERE s.is_entry) AS method, arg_min(s.http_status, s.start_us) FILTER (WHERE s.is_entry) AS http_status,
           arg_min(s.status, s.start_us) FILTER (WHERE s.is_entry) AS status, min(s.start_us) FILTER (WHERE s.is_entry) AS start_us,
           arg_min(s.duration_us, s.start_us) FILTER (WHERE s.is_entry) AS duration_us
    FROM m JOIN spans s ON s.trace_id = m.trace_id AND ${bound}
    GROUP BY m.trace_id ORDER BY ${order}`, [...params, ...around]);
  return rows.map((r) => {
    const errorSpans = Number(r.errors);
    return { ...summaryOf(r), error: errorSpans > 0, services: ((r.services as string[] | null) ?? []).slice(), spanCount: Number(r.n), errorSpans };
  });
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
