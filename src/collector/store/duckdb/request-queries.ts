/**
 * The request views (overview tiles, chart series, routes table). They come from the
 * request-duration histograms and tracekit's per-request work sums, which count every
 * request whatever the sampling. A service that sends no such metrics (an SDK without them)
 * gets the same views computed from its server spans instead, and the answer says so.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { histogramQuantile } from '../quantile';
import type { Overview, QueryScope, RouteDistribution, RouteFigures, RouteStats, Series, SeriesPoint, Source } from '../store';
import { readRows, type SqlParams } from './connection';
import { REQUEST_METRICS, RUNTIME_METRICS } from '../../../shared/contract';
import { numOrNull, scopeSeconds, scopeWhere } from './sql-scope';

export const REQUEST_DURATION = REQUEST_METRICS.duration;
const HISTOGRAM = 2;
const WORK = {
  dbQueries: REQUEST_METRICS.dbQueries,
  dbSeconds: REQUEST_METRICS.dbDuration,
  outgoing: REQUEST_METRICS.outgoingCalls,
  nPlusOne: REQUEST_METRICS.nPlusOne,
};
const SERVER = 2;
const ERROR_SPAN = '(status = 2 OR http_status >= 500)';

interface Merged { n: number; errors: number; sumSeconds: number; max: number | null; bounds: number[]; counts: number[]; lastUs: number | null }

/** Does the scope hold request-duration histograms (so the metrics are the source)? */
async function sourceFor(conn: DuckDBConnection, scope: QueryScope): Promise<Source> {
  const params: SqlParams = [REQUEST_DURATION];
  const rows = await readRows(conn, `SELECT 1 AS x FROM metric_points WHERE name = ? AND kind = ${HISTOGRAM} AND ${scopeWhere(scope, 'time_us', params)} LIMIT 1`, params);
  return rows.length > 0 ? 'metrics' : 'spans';
}

/** The key of a group: its column values joined by NUL. */
function groupKey(row: Record<string, unknown>, n: number): string {
  let key = '';
  for (let i = 0; i < n; i++) key += (i === 0 ? '' : '\u0000') + String(row[`g${i}`] ?? '');
  return key;
}

/**
 * Merges the request histograms of the scope, grouped by the SQL expressions in `groups`
 * (none for one group). Totals come from the points; bucket counts from the bucket rows,
 * so merging is a GROUP BY over small integers rather than an unnest of every list.
 */
async function mergedHistograms(conn: DuckDBConnection, scope: QueryScope, groups: string[], filter?: (params: SqlParams) => string): Promise<Map<string, Merged>> {
  const select = groups.map((g, i) => `${g} AS g${i}, `).join('');
  const groupBy = groups.length === 0 ? '' : `GROUP BY ${groups.map((_, i) => `g${i}`).join(', ')}`;
  const p1: SqlParams = [REQUEST_DURATION];
  const extra1 = filter === undefined ? '' : ` AND ${filter(p1)}`;
  const totals = await readRows(conn, `
    SELECT ${select}sum(count) AS n, sum(count) FILTER (WHERE http_status >= 500) AS errors, sum(sum) AS total,
           max(max) AS mx, any_value(bounds) AS bounds, max(time_us) FILTER (WHERE count > 0) AS last_us
    FROM metric_points WHERE name = ? AND kind = ${HISTOGRAM}${extra1} AND ${scopeWhere(scope, 'time_us', p1)} ${groupBy}`, p1);
  const p2: SqlParams = [REQUEST_DURATION];
  const extra2 = filter === undefined ? '' : ` AND ${filter(p2)}`;
  const buckets = await readRows(conn, `
    SELECT ${select}bucket, sum(count) AS c FROM histogram_buckets
    WHERE name = ?${extra2} AND ${scopeWhere(scope, 'time_us', p2)} ${groupBy === '' ? 'GROUP BY bucket' : `${groupBy}, bucket`}`, p2);
  const out = new Map<string, Merged>();
  for (const t of totals) {
    if (t.n === null) continue;
    const bounds = (t.bounds as number[] | null) ?? [];
    out.set(groupKey(t, groups.length), { n: Number(t.n ?? 0), errors: Number(t.errors ?? 0), sumSeconds: Number(t.total ?? 0), max: numOrNull(t.mx), bounds, counts: new Array<number>(bounds.length + 1).fill(0), lastUs: numOrNull(t.last_us) });
  }
  for (const b of buckets) {
    const m = out.get(groupKey(b, groups.length));
    const i = Number(b.bucket);
    if (m !== undefined && i < m.counts.length) m.counts[i] += Number(b.c);
  }
  return out;
}

function quantilesMs(m: Merged | undefined): { p50Ms: number | null; p95Ms: number | null; p99Ms: number | null; maxMs: number | null } {
  if (m === undefined || m.n === 0) return { p50Ms: null, p95Ms: null, p99Ms: null, maxMs: null };
  const q = (x: number): number | null => {
    const v = histogramQuantile(x, m.bounds, m.counts, m.max);
    return v === null ? null : v * 1000;
  };
  return { p50Ms: q(0.5), p95Ms: q(0.95), p99Ms: q(0.99), maxMs: m.max === null ? null : m.max * 1000 };
}

/** Latest value per instance of each runtime gauge, combined across instances. */
async function runtimeGauges(conn: DuckDBConnection, scope: QueryScope): Promise<Pick<Overview, 'inFlight' | 'cpuUtilization' | 'memoryBytes'>> {
  const params: SqlParams = [RUNTIME_METRICS.activeRequests, RUNTIME_METRICS.cpuUtilization, RUNTIME_METRICS.memoryUsage];
  const rows = await readRows(conn, `
    SELECT name, sum(v) AS total, avg(v) AS mean FROM (
      SELECT name, instance, arg_max(value, time_us) AS v FROM metric_points
      WHERE kind = 0 AND name IN (?, ?, ?)
        AND ${scopeWhere(scope, 'time_us', params)}
      GROUP BY name, instance
    ) GROUP BY name`, params);
  const by = new Map(rows.map((r) => [String(r.name), r]));
  return {
    inFlight: numOrNull(by.get(RUNTIME_METRICS.activeRequests)?.total),
    cpuUtilization: numOrNull(by.get(RUNTIME_METRICS.cpuUtilization)?.mean),
    memoryBytes: numOrNull(by.get(RUNTIME_METRICS.memoryUsage)?.total),
  };
}

/** The overview tiles. */
export async function overview(conn: DuckDBConnection, scope: QueryScope): Promise<Overview> {
  const seconds = scopeSeconds(scope);
  const runtime = await runtimeGauges(conn, scope);
  const source = await sourceFor(conn, scope);
  if (source === 'metrics') {
    const m = (await mergedHistograms(conn, scope, [])).get('');
    const n = m?.n ?? 0;
    const errors = m?.errors ?? 0;
    return { source, requests: n, errors, requestRate: n / seconds, errorRate: n === 0 ? 0 : errors / n, ...quantilesMs(m), ...runtime };
  }
  const params: SqlParams = [];
  const [r] = await readRows(conn, `
    SELECT count(*) AS n, count(*) FILTER (WHERE ${ERROR_SPAN}) AS errors,
           quantile_cont(duration_us, [0.5, 0.95, 0.99]) AS q, max(duration_us) AS mx
    FROM spans WHERE kind = ${SERVER} AND ${scopeWhere(scope, 'start_us', params)}`, params);
  const n = Number(r.n);
  const errors = Number(r.errors);
  const q = (r.q as number[] | null) ?? [];
  const ms = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v) / 1000);
  return { source, requests: n, errors, requestRate: n / seconds, errorRate: n === 0 ? 0 : errors / n, p50Ms: ms(q[0]), p95Ms: ms(q[1]), p99Ms: ms(q[2]), maxMs: ms(r.mx), ...runtime };
}

/** The chart series: one point per step across the scope, empty steps included. */
export async function series(conn: DuckDBConnection, scope: QueryScope, stepUs: number): Promise<Series> {
  const steps = Math.max(1, Math.ceil((scope.toUs - scope.fromUs) / stepUs));
  const stepSeconds = stepUs / 1e6;
  const from = Math.trunc(scope.fromUs);
  const step = Math.trunc(stepUs);
  const points: SeriesPoint[] = [];
  for (let i = 0; i < steps; i++) points.push({ timeMs: (from + (i + 1) * step) / 1000, requestRate: 0, errorRate: 0, p50Ms: null, p95Ms: null, p99Ms: null });
  const source = await sourceFor(conn, scope);
  if (source === 'metrics') {
    // A point stamped exactly at a step's end belongs to that step; one from a clock running
    // ahead belongs to the last step.
    const merged = await mergedHistograms(conn, scope, [`least((time_us - ${from} - 1) // ${step}, ${steps - 1})`]);
    for (const [g, m] of merged) {
      const p = points[Number(g)];
      if (p === undefined) continue;
      p.requestRate = m.n / stepSeconds;
      p.errorRate = m.n === 0 ? 0 : m.errors / m.n;
      Object.assign(p, quantilesMs(m));
    }
    return { source, stepMs: stepUs / 1000, points };
  }
  const params: SqlParams = [];
  const rows = await readRows(conn, `
    SELECT least((start_us - ${from} - 1) // ${step}, ${steps - 1}) AS g, count(*) AS n, count(*) FILTER (WHERE ${ERROR_SPAN}) AS errors,
           quantile_cont(duration_us, [0.5, 0.95, 0.99]) AS q
    FROM spans WHERE kind = ${SERVER} AND ${scopeWhere(scope, 'start_us', params)} GROUP BY g`, params);
  for (const r of rows) {
    const p = points[Number(r.g)];
    if (p === undefined) continue;
    const n = Number(r.n);
    const q = (r.q as number[] | null) ?? [];
    p.requestRate = n / stepSeconds;
    p.errorRate = n === 0 ? 0 : Number(r.errors) / n;
    p.p50Ms = numOrNull(q[0]) === null ? null : Number(q[0]) / 1000;
    p.p95Ms = numOrNull(q[1]) === null ? null : Number(q[1]) / 1000;
    p.p99Ms = numOrNull(q[2]) === null ? null : Number(q[2]) / 1000;
  }
  return { source, stepMs: stepUs / 1000, points };
}

/** The latest N+1 template seen on each route (from the request spans that carry it). */
async function nPlusOneTemplates(conn: DuckDBConnection, scope: QueryScope): Promise<Map<string, { template: string; requests: number }>> {
  const params: SqlParams = [];
  const rows = await readRows(conn, `
    SELECT service AS g0, method AS g1, route AS g2, arg_max(n_plus_one, start_us) AS t, count(*) AS n
    FROM spans WHERE n_plus_one IS NOT NULL AND route IS NOT NULL AND ${scopeWhere(scope, 'start_us', params)} GROUP BY ALL`, params);
  return new Map(rows.map((r) => [groupKey(r, 3), { template: String(r.t), requests: Number(r.n) }]));
}

/** The routes table. */
/**
 * Per route: requests, errors, p95 and the last request only, for the Code views. With request
 * metrics this is the histogram merge alone (no per-request sums, no N+1 scan of the spans);
 * otherwise it is the routes view's answer.
 */
export async function routeFigures(conn: DuckDBConnection, scope: QueryScope): Promise<RouteFigures[]> {
  if ((await sourceFor(conn, scope)) !== 'metrics') return routes(conn, scope);
  const seconds = scopeSeconds(scope);
  const out: RouteFigures[] = [];
  for (const [g, m] of await mergedHistograms(conn, scope, ['service', 'method', 'route'])) {
    const [service, method, route] = g.split('\u0000');
    out.push({
      service, method: method || null, route: route || '(unmatched)', requests: m.n, rate: m.n / seconds, errors: m.errors,
      p95Ms: quantilesMs(m).p95Ms, lastHitMs: m.lastUs === null ? null : m.lastUs / 1000,
    });
  }
  return out;
}

export async function routes(conn: DuckDBConnection, scope: QueryScope): Promise<RouteStats[]> {
  const seconds = scopeSeconds(scope);
  const templates = await nPlusOneTemplates(conn, scope);
  const source = await sourceFor(conn, scope);
  const out: RouteStats[] = [];
  if (source === 'metrics') {
    const groups = ['service', 'method', 'route'];
    const merged = await mergedHistograms(conn, scope, groups);
    const params: SqlParams = [`${REQUEST_METRICS.workPrefix}%`];
    const work = await readRows(conn, `
      SELECT service AS g0, method AS g1, route AS g2, name, sum(value) AS v FROM metric_points
      WHERE kind = 1 AND name LIKE ? AND ${scopeWhere(scope, 'time_us', params)} GROUP BY ALL`, params);
    const sums = new Map<string, Record<string, number>>();
    // A service that sends tracekit's per-request sums sends none for work a route never did:
    // there, a missing sum is zero, not unknown.
    const sendsSums = new Set(work.map((w) => String(w.g0)));
    for (const w of work) {
      const key = groupKey(w, 3);
      const s = sums.get(key) ?? {};
      s[String(w.name)] = Number(w.v);
      sums.set(key, s);
    }
    for (const [g, m] of merged) {
      const [service, method, route] = g.split('\u0000');
      const s = sums.get(g) ?? {};
      const per = (name: string, scale = 1): number | null => {
        if (m.n === 0) return null;
        if (s[name] === undefined) return sendsSums.has(service) ? 0 : null;
        return (s[name] * scale) / m.n;
      };
      const np = templates.get(g);
      out.push({
        service, method: method || null, route: route || '(unmatched)', requests: m.n, rate: m.n / seconds, errors: m.errors,
        errorPct: m.n === 0 ? 0 : (100 * m.errors) / m.n, ...quantilesMs(m),
        dbQueriesPerRequest: per(WORK.dbQueries), dbMsPerRequest: per(WORK.dbSeconds, 1000), outgoingPerRequest: per(WORK.outgoing),
        // The spans' count can run past the metrics' at the window's edge (spans by start, metric
        // points by export time): never more N+1 requests than requests.
        nPlusOneRequests: Math.min(m.n, Math.max(s[WORK.nPlusOne] ?? 0, np?.requests ?? 0)), nPlusOneTemplate: np?.template ?? null,
        totalMs: m.sumSeconds * 1000, lastHitMs: m.lastUs === null ? null : m.lastUs / 1000,
      });
    }
  } else {
    const params: SqlParams = [];
    const rows = await readRows(conn, `
      SELECT service, method, coalesce(route, name) AS route, count(*) AS n, count(*) FILTER (WHERE ${ERROR_SPAN}) AS errors,
             quantile_cont(duration_us, [0.5, 0.95, 0.99]) AS q, max(duration_us) AS mx, sum(duration_us) AS total,
             avg(db_count) AS dbq, avg(db_ms) AS dbms, avg(out_count) AS outc, max(start_us + duration_us) AS last_us
      FROM spans WHERE kind = ${SERVER} AND ${scopeWhere(scope, 'start_us', params)} GROUP BY ALL`, params);
    for (const r of rows) {
      const n = Number(r.n);
      const q = (r.q as number[] | null) ?? [];
      const np = templates.get(`${String(r.service)}\u0000${String(r.method ?? '')}\u0000${String(r.route)}`);
      out.push({
        service: String(r.service), method: (r.method as string | null) ?? null, route: String(r.route), requests: n, rate: n / seconds,
        errors: Number(r.errors), errorPct: n === 0 ? 0 : (100 * Number(r.errors)) / n,
        p50Ms: Number(q[0]) / 1000, p95Ms: Number(q[1]) / 1000, p99Ms: Number(q[2]) / 1000, maxMs: Number(r.mx) / 1000,
        dbQueriesPerRequest: numOrNull(r.dbq), dbMsPerRequest: numOrNull(r.dbms), outgoingPerRequest: numOrNull(r.outc),
        nPlusOneRequests: np?.requests ?? 0, nPlusOneTemplate: np?.template ?? null, totalMs: Number(r.total) / 1000,
        lastHitMs: Number(r.last_us) / 1000,
      });
    }
  }
  return out.sort((a, b) => b.totalMs - a.totalMs || b.requests - a.requests);
}

/** Span-duration bounds (seconds) for a route's histogram when its service sends no request metrics. */
const SPAN_BOUNDS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

/** `coalesce(method, '') = ? AND coalesce(<route>, '') = ?` for one route, its values pushed to `params`. */
function routeMatch(method: string | null, route: string | null, routeColumn: string, params: SqlParams): string {
  params.push(method ?? '', route ?? '');
  return `coalesce(method, '') = ? AND coalesce(${routeColumn}, '') = ?`;
}

/**
 * One route's latency histogram (bucket upper bounds in ms, the last bucket open) and its
 * requests by HTTP status. `route` null is the requests no route matched.
 */
export async function routeDistribution(conn: DuckDBConnection, scope: QueryScope, method: string | null, route: string | null): Promise<RouteDistribution> {
  const source = await sourceFor(conn, scope);
  if (source === 'metrics') {
    const merged = (await mergedHistograms(conn, scope, [], (p) => routeMatch(method, route, 'route', p))).get('');
    const p: SqlParams = [REQUEST_DURATION];
    const match = routeMatch(method, route, 'route', p);
    const statuses = await readRows(conn, `
      SELECT http_status AS s, sum(count) AS n FROM metric_points
      WHERE name = ? AND kind = ${HISTOGRAM} AND ${match} AND ${scopeWhere(scope, 'time_us', p)} GROUP BY ALL ORDER BY s`, p);
    return {
      source,
      boundsMs: (merged?.bounds ?? []).map((b) => b * 1000),
      counts: merged?.counts ?? [],
      statuses: statuses.filter((r) => Number(r.n) > 0).map((r) => ({ status: numOrNull(r.s), requests: Number(r.n) })),
    };
  }
  const p: SqlParams = [];
  const where = `kind = ${SERVER} AND ${routeMatch(method, route, 'coalesce(route, name)', p)} AND ${scopeWhere(scope, 'start_us', p)}`;
  const cases = SPAN_BOUNDS.map((b, i) => `WHEN duration_us <= ${Math.round(b * 1e6)} THEN ${i}`).join(' ');
  const rows = await readRows(conn, `
    SELECT CASE ${cases} ELSE ${SPAN_BOUNDS.length} END AS b, http_status AS s, count(*) AS n FROM spans WHERE ${where} GROUP BY ALL`, p);
  const counts = new Array<number>(SPAN_BOUNDS.length + 1).fill(0);
  const byStatus = new Map<number | null, number>();
  for (const r of rows) {
    counts[Number(r.b)] += Number(r.n);
    const status = numOrNull(r.s);
    byStatus.set(status, (byStatus.get(status) ?? 0) + Number(r.n));
  }
  const statuses = [...byStatus].map(([status, requests]) => ({ status, requests })).sort((a, b) => (a.status ?? 0) - (b.status ?? 0));
  return { source, boundsMs: SPAN_BOUNDS.map((b) => b * 1000), counts, statuses };
}
