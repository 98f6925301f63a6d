/**
 * Live-debugging snapshots out of a logs request: records with the `tracekit.snapshot` event
 * name (shared/contract.ts, SNAPSHOT) become snapshot rows, not log rows. A snapshot whose
 * breakpoint has all the snapshots it may keep is dropped and counted.
 */
import { randomBytes } from 'node:crypto';
import type { DecodedLogs, LogRecordIn } from '../otlp/model';
import type { SnapshotRow } from '../store/rows';
import { SNAPSHOT as S } from '../../shared/contract';

/** True for a snapshot record. */
export function isSnapshotRecord(r: LogRecordIn): boolean {
  return r.eventName === S.eventName;
}

/** Says whether one more snapshot of a breakpoint may be stored (and counts it when so). */
export type AdmitSnapshot = (service: string, breakpointId: string) => boolean;

function text(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}

/** Snapshot rows of a decoded logs request, and how many were refused. */
export function snapshotRows(decoded: DecodedLogs, admit: AdmitSnapshot): { rows: SnapshotRow[]; dropped: number } {
  const rows: SnapshotRow[] = [];
  let dropped = 0;
  for (const g of decoded.groups) {
    for (const r of g.items) {
      if (!isSnapshotRecord(r)) continue;
      const a = r.attributes;
      const breakpointId = text(a[S.breakpoint]);
      if (breakpointId === '' || !admit(g.service, breakpointId)) {
        dropped++;
        continue;
      }
      const line = Number(a[S.line]);
      rows.push({
        id: randomBytes(8).toString('hex'),
        service: g.service,
        instance: g.instance,
        breakpointId,
        timeUs: Math.round(r.timeMs * 1000),
        traceId: r.traceId || null,
        spanId: r.spanId || null,
        label: text(a[S.label]) || null,
        file: text(a[S.file]),
        line: Number.isSafeInteger(line) && line >= 0 && line < 2 ** 31 ? line : 0,
        function: text(a[S.function]) || '<anonymous>',
        body: r.body,
      });
    }
  }
  return { rows, dropped };
}
