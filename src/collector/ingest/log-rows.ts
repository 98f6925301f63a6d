/** Turns decoded log records into stored rows. */
import type { DecodedLogs } from '../otlp/model';
import type { LogRow } from '../store/rows';
import { isRouteRecord } from './route-rows';
import { isSnapshotRecord } from './snapshot-rows';

/** Rows for a decoded logs request. */
export function logRows(decoded: DecodedLogs): LogRow[] {
  const rows: LogRow[] = [];
  for (const g of decoded.groups) {
    for (const r of g.items) {
      if (isRouteRecord(r) || isSnapshotRecord(r)) continue;
      rows.push({
        service: g.service,
        instance: g.instance,
        timeUs: Math.round(r.timeMs * 1000),
        severity: r.severityNumber,
        severityText: r.severityText,
        body: r.body,
        traceId: r.traceId || null,
        spanId: r.spanId || null,
        attributes: JSON.stringify(r.attributes),
      });
    }
  }
  return rows;
}
