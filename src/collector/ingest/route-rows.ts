/**
 * The route inventory out of a logs request: records with the `tracekit.route` event name
 * (shared/contract.ts, ROUTE_INVENTORY) become route rows, not log rows. At most
 * {@link MAX_ROUTES_PER_SNAPSHOT} rows are kept per snapshot; the rest are counted.
 */
import type { DecodedLogs, LogRecordIn } from '../otlp/model';
import type { RouteRow } from '../store/rows';
import { ROUTE_INVENTORY as R } from '../../shared/contract';

/** The agent reports at most 5,000 routes; the store keeps no more from any sender. */
export const MAX_ROUTES_PER_SNAPSHOT = 5000;

/** True for a record of the route inventory. */
export function isRouteRecord(r: LogRecordIn): boolean {
  return r.eventName === R.eventName;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

function int(v: unknown): number {
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isSafeInteger(n) && n >= 0 && n <= 2 ** 31 - 1 ? n : 0;
}

/** Route rows of a decoded logs request, and how many were over the per-snapshot limit. */
export function routeRows(decoded: DecodedLogs, nowUs: number): { rows: RouteRow[]; dropped: number } {
  const rows: RouteRow[] = [];
  const perSnapshot = new Map<string, number>();
  let dropped = 0;
  const cut = new Set<string>();
  for (const g of decoded.groups) {
    for (const r of g.items) {
      if (!isRouteRecord(r)) continue;
      const a = r.attributes;
      const route = text(a[R.route]);
      if (route === '') {
        dropped++;
        continue;
      }
      const snapshot = text(a[R.snapshot]) || `${g.instance}`;
      const key = `${g.service}\0${snapshot}`;
      const n = perSnapshot.get(key) ?? 0;
      if (n >= MAX_ROUTES_PER_SNAPSHOT) {
        dropped++;
        cut.add(key);
        continue;
      }
      perSnapshot.set(key, n + 1);
      rows.push({
        service: g.service,
        instance: g.instance,
        snapshot,
        reportedUs: nowUs,
        method: text(a[R.method]).toUpperCase() || 'ALL',
        route,
        kind: text(a[R.kind]) === 'middleware' ? 'middleware' : 'route',
        function: text(a[R.function]) || '<anonymous>',
        file: text(a[R.file]),
        line: int(a[R.line]),
        column: int(a[R.column]),
        truncated: a[R.truncated] === true,
      });
    }
  }
  // A snapshot cut here says so on its rows, as one the agent cut does.
  if (cut.size > 0) for (const r of rows) if (cut.has(`${r.service}\0${r.snapshot}`)) r.truncated = true;
  return { rows, dropped };
}
