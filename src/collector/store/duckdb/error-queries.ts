/**
 * Errors grouped by fingerprint, as an error tracker shows them: counts in the scope, a
 * sparkline, first sight ever, the new and regressed marks, the latest stack and several
 * sample traces. The rules for "new" and "regressed" are in docs/dashboard.md.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { ERROR_SAMPLES, ERROR_SPARK_STEPS, type ErrorGroup, type QueryScope } from '../store';
import { readRows, type SqlParams } from './connection';
import { scopeWhere } from './sql-scope';

const MAX_GROUPS = 200;
/** A group silent for less than this before the scope is not "regressed", however short the scope. */
const MIN_SILENCE_US = 3600e6;

/** Error groups in the scope (of one route template, when given), the most frequent first. */
export async function errors(conn: DuckDBConnection, scope: QueryScope, route?: string): Promise<ErrorGroup[]> {
  const scoped = (p: SqlParams): string => {
    let where = scopeWhere(scope, 'time_us', p);
    if (route !== undefined) {
      p.push(route);
      where += ' AND route = ?';
    }
    return where;
  };
  const p: SqlParams = [];
  const fromUs = BigInt(Math.trunc(scope.fromUs));
  const rows = await readRows(conn, `
    WITH g AS (
      SELECT fingerprint, any_value(service) AS service, arg_max(type, time_us) AS type, arg_max(message, time_us) AS message,
             count(*) AS n, min(time_us) AS first_here, max(time_us) AS last, list(DISTINCT route) FILTER (WHERE route IS NOT NULL) AS routes,
             arg_max(stack, time_us) AS stack, arg_max(trace_id, time_us) AS trace_id, arg_max(span_id, time_us) AS span_id
      FROM errors WHERE ${scoped(p)} GROUP BY fingerprint ORDER BY n DESC, last DESC LIMIT ${MAX_GROUPS}
    )
    SELECT g.*,
      (SELECT min(time_us) FROM errors e WHERE e.fingerprint = g.fingerprint) AS first,
      (SELECT max(time_us) FROM errors e WHERE e.fingerprint = g.fingerprint AND e.time_us <= ?) AS before
    FROM g ORDER BY n DESC, last DESC`, [...p, fromUs]);
  if (rows.length === 0) return [];
  const stepUs = Math.max(1, Math.ceil((scope.toUs - scope.fromUs) / ERROR_SPARK_STEPS));
  const p2: SqlParams = [fromUs, BigInt(stepUs)];
  const where2 = scoped(p2);
  const spark = await readRows(conn, `
    SELECT fingerprint, least(greatest((time_us - ? - 1) // ?, 0), ${ERROR_SPARK_STEPS - 1}) AS s, count(*) AS n
    FROM errors WHERE ${where2} GROUP BY ALL`, p2);
  const p3: SqlParams = [];
  const samples = await readRows(conn, `
    SELECT fingerprint, trace_id, span_id, time_us, route FROM (
      SELECT fingerprint, trace_id, span_id, time_us, route, row_number() OVER (PARTITION BY fingerprint ORDER BY time_us DESC) AS k
      FROM errors WHERE ${scoped(p3)}
    ) WHERE k <= ${ERROR_SAMPLES} ORDER BY fingerprint, time_us DESC`, p3);
  const silence = Math.max(MIN_SILENCE_US, scope.toUs - scope.fromUs);
  const groups = new Map<string, ErrorGroup>();
  for (const r of rows) {
    const first = Number(r.first);
    const before = r.before === null ? null : Number(r.before);
    const firstHere = Number(r.first_here);
    groups.set(String(r.fingerprint), {
      fingerprint: String(r.fingerprint), service: String(r.service), type: String(r.type), message: String(r.message),
      count: Number(r.n), firstSeenMs: first / 1000, lastSeenMs: Number(r.last) / 1000,
      routes: ((r.routes as string[] | null) ?? []).sort(), stack: String(r.stack), traceId: String(r.trace_id), spanId: String(r.span_id),
      sparkline: new Array<number>(ERROR_SPARK_STEPS).fill(0),
      isNew: first > scope.fromUs,
      regressed: before !== null && firstHere - before > silence,
      previousSeenMs: before === null ? null : before / 1000,
      samples: [],
    });
  }
  for (const r of spark) {
    const g = groups.get(String(r.fingerprint));
    if (g !== undefined) g.sparkline[Number(r.s)] += Number(r.n);
  }
  for (const r of samples) {
    groups.get(String(r.fingerprint))?.samples.push({ traceId: String(r.trace_id), spanId: String(r.span_id), timeMs: Number(r.time_us) / 1000, route: (r.route as string | null) ?? null });
  }
  return [...groups.values()];
}
