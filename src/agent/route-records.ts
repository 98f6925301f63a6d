/** The route inventory as OTLP log records (the wire form in shared/contract.ts, ROUTE_INVENTORY). */
import { randomBytes } from 'node:crypto';
import type { RouteEntry } from '../instrumentations/route-inventory';
import type { LogRecord } from '../otlp/types';
import { ROUTE_INVENTORY as R } from '../shared/contract';

const PROCESS_ID = randomBytes(6).toString('hex');
let snapshots = 0;

/** One record per entry, all carrying one new snapshot id. */
export function routeRecords(entries: RouteEntry[], truncated: boolean, now = Date.now()): LogRecord[] {
  const snapshot = `${PROCESS_ID}-${++snapshots}`;
  return entries.map((e) => ({
    timeMs: now,
    severityNumber: 9,
    severityText: 'INFO',
    body: `${e.method} ${e.route}`,
    eventName: R.eventName,
    attributes: {
      [R.snapshot]: snapshot,
      [R.size]: entries.length,
      [R.truncated]: truncated,
      [R.kind]: e.kind,
      [R.method]: e.method,
      [R.route]: e.route,
      [R.function]: e.function,
      [R.file]: e.file,
      [R.line]: e.line,
      [R.column]: e.column,
    },
  }));
}
