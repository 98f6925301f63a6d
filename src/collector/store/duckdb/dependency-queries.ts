/**
 * Services, outgoing HTTP hosts, and the dependency graph (route → host, service → service). These come from spans, so they describe sampled traffic.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Graph, OutgoingHost, QueryScope, ServiceInfo } from '../store';
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

/** Outgoing HTTP calls per host (of one request route's requests, when given). */
export async function outgoing(conn: DuckDBConnection, scope: QueryScope, requestRoute?: string): Promise<OutgoingHost[]> {
  const p: SqlParams = [];
  let where = scopeWhere(scope, 'start_us', p);
  if (requestRoute !== undefined) {
    p.push(requestRoute);
    where += ' AND request_route = ?';
  }
  const rows = await readRows(conn, `
    SELECT service, peer, count(*) AS n, count(*) FILTER (WHERE ${CLIENT_ERROR}) AS errors,
           quantile_cont(duration_us, [0.5, 0.95]) AS q, max(duration_us) AS mx
    FROM spans WHERE kind = ${CLIENT} AND peer IS NOT NULL AND ${where}
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

/**
 * The scope's minutes as the per-minute edge counts see them: `full` minutes lie wholly inside
 * the scope and are read from the counts; the part of a minute at each end is read from the
 * spans themselves, so the graph counts exactly the calls the outgoing table counts.
 */
interface EdgeWindow {
  /** First and past-the-last full minute (`fullFrom` >= `fullTo`: none). */
  fullFrom: number;
  fullTo: number;
}

function edgeWindow(scope: QueryScope): EdgeWindow {
  // The scope is (fromUs, toUs]; minute M counts starts in [M, M + 1 min).
  const fullFrom = Math.floor(scope.fromUs / MINUTE_US) * MINUTE_US + MINUTE_US;
  const fullTo = scope.openEnded === true ? Number.MAX_SAFE_INTEGER : Math.floor((scope.toUs + 1) / MINUTE_US) * MINUTE_US;
  return { fullFrom, fullTo };
}

/**
 * Edges route → external host, and service → service (a client span whose child is another
 * service's server span). Route → host edges come from the per-minute counts summed at ingest
 * for the minutes wholly inside the scope, and from the spans for the partial minutes at its
 * ends. Most outgoing calls got their request's route at ingest; the few whose request span
 * came in a later batch are joined to it here. The service join runs only when some service
 * was called by another.
 */
export async function graph(conn: DuckDBConnection, scope: QueryScope): Promise<Graph> {
  const w = edgeWindow(scope);
  const full = w.fullFrom < w.fullTo;
  // The SELECT's two parameters come first; remote entries (kind 1) are looked for over every
  // minute the scope touches.
  const p0: SqlParams = [BigInt(full ? w.fullFrom : 0), BigInt(full ? w.fullTo : 0)];
  const touched = scopeWhere({ ...scope, service: undefined, fromUs: scope.fromUs - MINUTE_US }, 'minute_us', p0);
  const counted = await readRows(conn, `
    SELECT kind, service, route, host, (minute_us >= ? AND minute_us < ?) AS whole, sum(calls) AS n, sum(errors) AS errors FROM call_edges
    WHERE ${touched} GROUP BY ALL`, p0);
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
    else if (r.whole !== true || (scope.service !== undefined && r.service !== scope.service)) continue;
    else if (r.route === null) unresolved = true;
    else addEdge(String(r.service), String(r.route), String(r.host), Number(r.n), Number(r.errors));
  }
  // The partial minutes at the ends (or the whole scope when it holds no full minute), and the
  // unresolved calls of the full minutes, from the spans.
  for (const r of await spanEdges(conn, scope, full ? w : undefined, unresolved)) addEdge(String(r.service), String(r.route), String(r.peer), Number(r.n), Number(r.errors));
  const serviceRows = remoteEntries ? await serviceEdges(conn, scope) : [];
  const pct = (e: unknown, n: unknown): number => (Number(n) === 0 ? 0 : (100 * Number(e)) / Number(n));
  return {
    routeToHost: [...edges.values()].sort((a, b) => b.calls - a.calls).map((e) => ({ service: e.service, route: e.route, host: e.host, calls: e.calls, errorPct: pct(e.errors, e.calls) })),
    serviceToService: serviceRows.map((r) => ({ from: String(r.caller), to: String(r.callee), calls: Number(r.n), errorPct: pct(r.errors, r.n) })),
  };
}

/**
 * Route → host counts straight from client spans: those outside the full minutes of `w` (all
 * of the scope without `w`), and, with `unresolvedInFull`, the full minutes' calls whose route
 * was not known at ingest. A call's route is the one found at ingest, else its request's
 * server span in the same trace and service (a join run only when such calls exist); a call
 * with neither is left out.
 */
async function spanEdges(conn: DuckDBConnection, scope: QueryScope, w: EdgeWindow | undefined, unresolvedInFull: boolean): Promise<Record<string, unknown>[]> {
  const known = await readClientParts(conn, scope, w, false, (c) => `
    SELECT service, request_route AS route, peer, count(*) AS n, count(*) FILTER (WHERE ${CLIENT_ERROR}) AS errors FROM (${c}) GROUP BY ALL`);
  const rows = known.filter((r) => r.route !== null);
  if (!unresolvedInFull && rows.length === known.length) return rows;
  const joined = await readClientParts(conn, scope, w, unresolvedInFull, (c, p) => {
    const serverWhere = scopeWhere({ ...scope, fromUs: scope.fromUs - ROUTE_LOOKBACK_US }, 'start_us', p);
    return `
    WITH c AS (SELECT * FROM (${c}) WHERE request_route IS NULL),
         s AS (SELECT trace_id, service, concat_ws(' ', method, route) AS route, start_us, start_us + duration_us AS end_us FROM spans
               WHERE kind = ${SERVER} AND trace_id IN (SELECT trace_id FROM c) AND ${serverWhere})
    SELECT c.service, s.route, c.peer, count(*) AS n, count(*) FILTER (WHERE c.status = 2 OR c.http_status >= 400) AS errors
    FROM c JOIN s ON c.trace_id = s.trace_id AND c.service = s.service AND c.start_us >= s.start_us AND c.start_us <= s.end_us
    GROUP BY ALL`;
  });
  return [...rows, ...joined];
}

/**
 * Runs `sql` over the client spans with a peer that `spanEdges` reads: the scope's two partial
 * minutes (the whole scope without `w`), and with `withFull` the full minutes' calls without a
 * route. One scan with the ranges OR-ed: two scans of the scope cost more.
 */
function readClientParts(conn: DuckDBConnection, scope: QueryScope, w: EdgeWindow | undefined, withFull: boolean, sql: (clients: string, params: SqlParams) => string): Promise<Record<string, unknown>[]> {
  const p: SqlParams = [];
  let where = scopeWhere(scope, 'start_us', p);
  if (w !== undefined) {
    p.push(BigInt(w.fullFrom), BigInt(w.fullTo));
    where += withFull ? ' AND (start_us < ? OR start_us >= ? OR request_route IS NULL)' : ' AND (start_us < ? OR start_us >= ?)';
  }
  const clients = `SELECT trace_id, service, start_us, peer, status, http_status, request_route FROM spans WHERE kind = ${CLIENT} AND peer IS NOT NULL AND ${where}`;
  return readRows(conn, sql(clients, p), p);
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

/**
 * Outgoing hosts that are services reporting here: a client span to the host whose child is
 * another service's server span names the service behind it. One row per (host, service).
 */
export async function hostServices(conn: DuckDBConnection, scope: QueryScope): Promise<{ host: string; service: string }[]> {
  const p: SqlParams = [];
  const calleeWhere = scopeWhere({ ...scope, service: undefined }, 'start_us', p);
  const callerWhere = scopeWhere({ ...scope, fromUs: scope.fromUs - ROUTE_LOOKBACK_US, service: undefined }, 'start_us', p);
  const rows = await readRows(conn, `
    WITH s AS (SELECT trace_id, parent_id, service FROM spans WHERE kind = ${SERVER} AND parent_id IS NOT NULL AND ${calleeWhere}),
         c AS (SELECT trace_id, span_id, service, peer FROM spans WHERE kind = ${CLIENT} AND peer IS NOT NULL AND ${callerWhere} AND span_id IN (SELECT parent_id FROM s))
    SELECT DISTINCT c.peer AS host, s.service AS service
    FROM c JOIN s ON s.trace_id = c.trace_id AND s.parent_id = c.span_id AND s.service <> c.service`, p);
  return rows.map((r) => ({ host: String(r.host), service: String(r.service) }));
}
