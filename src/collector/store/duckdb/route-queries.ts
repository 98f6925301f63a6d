/** The route inventory as stored: the latest snapshot of each service's declared routes. */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DeclaredRoute } from '../store';
import { readRows, type SqlParams } from './connection';
import { likePrefix } from './sql-scope';

/** The declared routes of one service (or all), in a folder (or file) when given, ordered by file and line. */
export async function declaredRoutes(conn: DuckDBConnection, service: string | undefined, folder: string | undefined): Promise<DeclaredRoute[]> {
  const params: SqlParams = [];
  let where = 'TRUE';
  if (service !== undefined) {
    where = 'service = ?';
    params.push(service);
  }
  if (folder !== undefined && folder !== '') {
    const f = folder.replace(/\/+$/, '');
    where += " AND (file = ? OR file LIKE ? ESCAPE '\\')";
    params.push(f, likePrefix(`${f}/`));
  }
  const rows = await readRows(conn, `
    SELECT service, method, route, kind, function, file, line, col, reported_us, truncated FROM route_inventory
    WHERE ${where} ORDER BY service, file, line, col, route, method`, params);
  return rows.map((r) => ({
    service: String(r.service), method: String(r.method), route: String(r.route), kind: r.kind === 'middleware' ? 'middleware' : 'route',
    function: String(r.function), file: String(r.file), line: Number(r.line), column: Number(r.col), reportedMs: Number(r.reported_us) / 1000, truncated: r.truncated === true,
  }));
}

