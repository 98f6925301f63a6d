/**
 * The route inventory as stored (the latest snapshot per service), and when each route was
 * last requested: the end of the latest metrics interval in which it had a request.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DeclaredRoute, QueryScope, RouteHit } from '../store';
import { readRows, type SqlParams } from './connection';
import { REQUEST_METRICS } from '../../../shared/contract';
import { scopeWhere } from './sql-scope';

/** The declared routes of one service (or all), ordered by file and line. */
export async function declaredRoutes(conn: DuckDBConnection, service: string | undefined): Promise<DeclaredRoute[]> {
  const params: SqlParams = [];
  let where = 'TRUE';
  if (service !== undefined) {
    where = 'service = ?';
    params.push(service);
  }
  const rows = await readRows(conn, `
    SELECT service, method, route, kind, function, file, line, col, reported_us FROM route_inventory
    WHERE ${where} ORDER BY service, file, line, col, route, method`, params);
  return rows.map((r) => ({
    service: String(r.service), method: String(r.method), route: String(r.route), kind: r.kind === 'middleware' ? 'middleware' : 'route',
    function: String(r.function), file: String(r.file), line: Number(r.line), column: Number(r.col), reportedMs: Number(r.reported_us) / 1000,
  }));
}

/** Per (service, method, route): the time of the latest request in the window. */
export async function routeHits(conn: DuckDBConnection, scope: QueryScope): Promise<RouteHit[]> {
  const params: SqlParams = [REQUEST_METRICS.duration];
  const rows = await readRows(conn, `
    SELECT service, method, route, max(time_us) AS last_us FROM metric_points
    WHERE name = ? AND count > 0 AND route IS NOT NULL AND ${scopeWhere(scope, 'time_us', params)} GROUP BY ALL`, params);
  return rows.map((r) => ({ service: String(r.service), method: (r.method as string | null) ?? null, route: String(r.route), lastHitMs: Number(r.last_us) / 1000 }));
}
