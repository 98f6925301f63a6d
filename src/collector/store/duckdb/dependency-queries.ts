/**
 * Errors grouped by fingerprint, outgoing HTTP hosts, and the dependency graph (route →
 * host, service → service). These come from spans, so they describe sampled traffic.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ErrorGroup, Graph, OutgoingHost, QueryScope, ServiceInfo } from '../store';
import { readRows, type SqlParams } from './connection';
import { numOrNull, scopeWhere } from './sql-scope';

const CLIENT = 3;
const SERVER = 2;
const CLIENT_ERROR = '(status = 2 OR http_status >= 400)';
/** How long before a client span its server span may have started (for the route join). */
const ROUTE_LOOKBACK_US = 10 * 60 * 1e6;
const MINUTE_US = 60e6;

/** Services seen in the scope (spans or metrics), busiest first. */
export async function services(conn: DuckDBConnection, scope: QueryScope): Promise<ServiceInfo[]> {
  const all = { ...scope, service: undefined };
  const p: SqlParams = [];
  const spanWhere = scopeWhere(all, 'start_us', p);
  const metricWhere = scopeWhere(all, 'time_us', p);
  const rows = await readRows(conn, `
    SELECT service, sum(n) AS n, max(last) AS last FROM (
      SELECT service, count(*) AS n, max(start_us) AS last FROM spans WHERE ${spanWhere} GROUP BY service
      UNION ALL
      SELECT service, 0 AS n, max(time_us) AS last FROM metric_points WHERE ${metricWhere} GROUP BY service
    ) GROUP BY service ORDER BY n DESC, service`, p);
  return rows.map((r) => ({ service: String(r.service), spans: Number(r.n), lastSeenMs: Number(r.last) / 1000 }));
}

/** Errors grouped by fingerprint: counts in the scope, first sight ever, a sample. */
export async function errors(conn: DuckDBConnection, scope: QueryScope): Promise<ErrorGroup[]> {
  const p: SqlParams = [];
  const rows = await readRows(conn, `
    WITH g AS (
      SELECT fingerprint, any_value(service) AS service, arg_max(type, time_us) AS type, arg_max(message, time_us) AS message,
             count(*) AS n, max(time_us) AS last, list(DISTINCT route) FILTER (WHERE route IS NOT NULL) AS routes,
             arg_max(stack, time_us) AS stack, arg_max(trace_id, time_us) AS trace_id, arg_max(span_id, time_us) AS span_id
      FROM errors WHERE ${scopeWhere(scope, 'time_us', p)} GROUP BY fingerprint
    )
    SELECT g.*, (SELECT min(time_us) FROM errors e WHERE e.fingerprint = g.fingerprint) AS first
    FROM g ORDER BY n DESC, last DESC LIMIT 200`, p);
  return rows.map((r) => ({
    fingerprint: String(r.fingerprint), service: String(r.service), type: String(r.type), message: String(r.message),
    count: Number(r.n), firstSeenMs: Number(r.first) / 1000, lastSeenMs: Number(r.last) / 1000,
    routes: ((r.routes as string[] | null) ?? []).sort(), stack: String(r.stack), traceId: String(r.trace_id), spanId: String(r.span_id),
  }));
}

/** Outgoing HTTP calls per host. */
export async function outgoing(conn: DuckDBConnection, scope: QueryScope): Promise<OutgoingHost[]> {
  const p: SqlParams = [];
  const rows = await readRows(conn, `
    SELECT service, peer, count(*) AS n, count(*) FILTER (WHERE ${CLIENT_ERROR}) AS errors,
           quantile_cont(duration_us, [0.5, 0.95]) AS q, max(duration_us) AS mx
    FROM spans WHERE kind = ${CLIENT} AND peer IS NOT NULL AND ${scopeWhere(scope, 'start_us', p)}
    GROUP BY ALL ORDER BY n DESC`, p);
  return rows.map((r) => {
    const n = Number(r.n);
    const q = (r.q as number[] | null) ?? [];
    return {
      service: String(r.service), host: String(r.peer), calls: n, errors: Number(r.errors), errorPct: n === 0 ? 0 : (100 * Number(r.errors)) / n,
      p50Ms: numOrNull(q[0]) === null ? null : Number(q[0]) / 1000, p95Ms: numOrNull(q[1]) === null ? null : Number(q[1]) / 1000, maxMs: Number(r.mx) / 1000,
    };
  });
}

/** The per-minute edge counts overlapping the scope, of every service (filtered after). */
function edgeWhere(scope: QueryScope, params: SqlParams): string {
  return scopeWhere({ ...scope, service: undefined, fromUs: scope.fromUs - MINUTE_US }, 'minute_us', params);
}

/**
 * Edges route → external host, and service → service (a client span whose child is another
 * service's server span). Both start from the per-minute counts summed at ingest: most
 * outgoing calls got their request's route there; the few whose request span came in a
 * later batch are joined to it here, and the service join runs only when some service was
 * called by another.
 */
export async function graph(conn: DuckDBConnection, scope: QueryScope): Promise<Graph> {
  const p0: SqlParams = [];
  const counted = await readRows(conn, `
    SELECT kind, service, route, host, sum(calls) AS n, sum(errors) AS errors FROM call_edges
    WHERE ${edgeWhere(scope, p0)} GROUP BY ALL`, p0);
  const edges = new Map<string, { service: string; route: string; host: string; calls: number; errors: number }>();
  const addEdge = (service: string, route: string, host: string, n: number, errors: number): void => {
    const key = `${service}\u0000${route}\u0000${host}`;
    const e = edges.get(key) ?? { service, route, host, calls: 0, errors: 0 };
    e.calls += n;
    e.errors += errors;
    edges.set(key, e);
  };
  let unresolved = false;
  let remoteEntries = false;
  for (const r of counted) {
    if (Number(r.kind) === 1) remoteEntries = true;
    else if (scope.service !== undefined && r.service !== scope.service) continue;
    else if (r.route === null) unresolved = true;
    else addEdge(String(r.service), String(r.route), String(r.host), Number(r.n), Number(r.errors));
  }
  if (unresolved) {
    const p1: SqlParams = [];
    const clientWhere = scopeWhere(scope, 'start_us', p1);
    const serverWhere = scopeWhere({ ...scope, fromUs: scope.fromUs - ROUTE_LOOKBACK_US }, 'start_us', p1);
    const joined = await readRows(conn, `
      WITH c AS (SELECT trace_id, service, start_us, peer, status, http_status FROM spans
                 WHERE kind = ${CLIENT} AND peer IS NOT NULL AND request_route IS NULL AND ${clientWhere}),
           s AS (SELECT trace_id, service, concat_ws(' ', method, route) AS route, start_us, start_us + duration_us AS end_us FROM spans
                 WHERE kind = ${SERVER} AND trace_id IN (SELECT trace_id FROM c) AND ${serverWhere})
      SELECT c.service, s.route, c.peer, count(*) AS n, count(*) FILTER (WHERE c.status = 2 OR c.http_status >= 400) AS errors
      FROM c JOIN s ON c.trace_id = s.trace_id AND c.service = s.service AND c.start_us >= s.start_us AND c.start_us <= s.end_us
      GROUP BY ALL`, p1);
    for (const r of joined) addEdge(String(r.service), String(r.route), String(r.peer), Number(r.n), Number(r.errors));
  }
  const serviceRows = remoteEntries ? await serviceEdges(conn, scope) : [];
  const pct = (e: unknown, n: unknown): number => (Number(n) === 0 ? 0 : (100 * Number(e)) / Number(n));
  return {
    routeToHost: [...edges.values()].sort((a, b) => b.calls - a.calls).map((e) => ({ service: e.service, route: e.route, host: e.host, calls: e.calls, errorPct: pct(e.errors, e.calls) })),
    serviceToService: serviceRows.map((r) => ({ from: String(r.caller), to: String(r.callee), calls: Number(r.n), errorPct: pct(r.errors, r.n) })),
  };
}

async function serviceEdges(conn: DuckDBConnection, scope: QueryScope): Promise<Record<string, unknown>[]> {
  // Callee spans first: server spans with a parent are few next to all client spans, and
  // restricting the callers to their parents keeps the join small.
  const p2: SqlParams = [];
  const calleeWhere = scopeWhere({ ...scope, service: undefined }, 'start_us', p2);
  const callerWhere = scopeWhere({ ...scope, fromUs: scope.fromUs - ROUTE_LOOKBACK_US, service: undefined }, 'start_us', p2);
  const serviceFilter = scope.service === undefined ? '' : 'WHERE c.service = ? OR s.service = ?';
  if (scope.service !== undefined) p2.push(scope.service, scope.service);
  const serviceRows = await readRows(conn, `
    WITH s AS (SELECT trace_id, parent_id, service, status, http_status FROM spans WHERE kind = ${SERVER} AND parent_id IS NOT NULL AND ${calleeWhere}),
         c AS (SELECT trace_id, span_id, service FROM spans WHERE kind = ${CLIENT} AND ${callerWhere} AND span_id IN (SELECT parent_id FROM s))
    SELECT c.service AS caller, s.service AS callee, count(*) AS n, count(*) FILTER (WHERE s.status = 2 OR s.http_status >= 500) AS errors
    FROM c JOIN s ON s.trace_id = c.trace_id AND s.parent_id = c.span_id AND s.service <> c.service
    ${serviceFilter} GROUP BY ALL ORDER BY n DESC`, p2);
  return serviceRows;
}
