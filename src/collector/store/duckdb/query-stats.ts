/**
 * The Queries view: query spans grouped by statement template (service, database system,
 * statement), with the routes that ran them, an example trace each, and the N+1 mark. These
 * come from spans, so they describe sampled traffic.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { QueriesQuery, QueryStats } from '../store';
import { readRows, type SqlParams } from './connection';
import { numOrNull, scopeWhere } from './sql-scope';

const SERVER = 2;
/** How long before a query its request's server span may have started (for the route join). */
const ROUTE_LOOKBACK_US = 10 * 60 * 1e6;

/** The query spans of the scope (and of one request route, when asked) as a subquery. */
function querySpans(q: QueriesQuery, params: SqlParams): string {
  let where = `db_statement IS NOT NULL AND ${scopeWhere(q, 'start_us', params)}`;
  if (q.requestRoute !== undefined) {
    params.push(q.requestRoute);
    where += ' AND request_route = ?';
  }
  return `SELECT service, db_system, db_statement, trace_id, span_id, start_us, duration_us, status, db_rows, request_route FROM spans WHERE ${where}`;
}

/**
 * Statement templates by total time. A query's route is the one found at ingest, else its
 * request's server span in the same trace and service (a join run only when such queries
 * exist). With `requestRoute`, only the queries whose route was known at ingest are counted:
 * the drill-down of one route wants its own queries, cheaply.
 */
export async function queryStats(conn: DuckDBConnection, q: QueriesQuery): Promise<QueryStats[]> {
  const p: SqlParams = [];
  const rows = await readRows(conn, `
    WITH q AS (${querySpans(q, p)})
    SELECT service, any_value(db_system) AS system, db_statement AS statement, count(*) AS n,
           count(*) FILTER (WHERE status = 2) AS errors, sum(duration_us) AS total, quantile_cont(duration_us, 0.95) AS p95,
           max(duration_us) AS mx, sum(db_rows) AS rows, count(db_rows) AS counted,
           arg_max(trace_id, duration_us) AS trace_id, arg_max(span_id, duration_us) AS span_id,
           list(DISTINCT request_route) FILTER (WHERE request_route IS NOT NULL) AS routes,
           count(*) FILTER (WHERE request_route IS NULL) AS unrouted
    FROM q GROUP BY service, db_statement ORDER BY total DESC LIMIT ?`, [...p, q.limit]);
  const stats = rows.map((r): QueryStats => {
    const n = Number(r.n);
    const counted = Number(r.counted);
    return {
      service: String(r.service), system: (r.system as string | null) ?? null, statement: String(r.statement),
      calls: n, errors: Number(r.errors), totalMs: Number(r.total) / 1000, avgMs: Number(r.total) / 1000 / n,
      p95Ms: numOrNull(r.p95) === null ? null : Number(r.p95) / 1000, maxMs: Number(r.mx) / 1000,
      rowsPerCall: counted === 0 ? null : Number(r.rows) / counted,
      routes: ((r.routes as string[] | null) ?? []).slice(), nPlusOne: false,
      exampleTraceId: String(r.trace_id), exampleSpanId: String(r.span_id),
    };
  });
  const key = (service: string, statement: string): string => `${service}\u0000${statement}`;
  const byKey = new Map(stats.map((s) => [key(s.service, s.statement), s]));
  if (q.requestRoute === undefined && rows.some((r) => Number(r.unrouted) > 0)) {
    for (const r of await joinedRoutes(conn, q)) byKey.get(key(String(r.service), String(r.statement)))?.routes.push(String(r.route));
  }
  for (const r of await nPlusOneStatements(conn, q)) {
    const s = byKey.get(key(String(r.service), String(r.statement)));
    if (s !== undefined) s.nPlusOne = true;
  }
  for (const s of stats) s.routes = [...new Set(s.routes)].sort();
  return stats;
}

/** Routes of the queries whose request span came in a later batch, from that span. */
function joinedRoutes(conn: DuckDBConnection, q: QueriesQuery): Promise<Record<string, unknown>[]> {
  const p: SqlParams = [];
  const queries = querySpans(q, p);
  const serverWhere = scopeWhere({ ...q, fromUs: q.fromUs - ROUTE_LOOKBACK_US }, 'start_us', p);
  return readRows(conn, `
    WITH q AS (SELECT * FROM (${queries}) WHERE request_route IS NULL),
         s AS (SELECT trace_id, service, concat_ws(' ', method, route) AS route, start_us, start_us + duration_us AS end_us FROM spans
               WHERE kind = ${SERVER} AND trace_id IN (SELECT trace_id FROM q) AND ${serverWhere})
    SELECT DISTINCT q.service, q.db_statement AS statement, s.route
    FROM q JOIN s ON q.trace_id = s.trace_id AND q.service = s.service AND q.start_us >= s.start_us AND q.start_us <= s.end_us`, p);
}

/** The statements that request spans in the scope named as their N+1 template. */
function nPlusOneStatements(conn: DuckDBConnection, q: QueriesQuery): Promise<Record<string, unknown>[]> {
  const p: SqlParams = [];
  let where = `n_plus_one IS NOT NULL AND ${scopeWhere(q, 'start_us', p)}`;
  if (q.requestRoute !== undefined) {
    p.push(q.requestRoute);
    where += ` AND concat_ws(' ', method, route) = ?`;
  }
  return readRows(conn, `SELECT DISTINCT service, n_plus_one AS statement FROM spans WHERE ${where}`, p);
}
