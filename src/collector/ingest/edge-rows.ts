/**
 * Sums a batch's spans into per-minute dependency-graph counts ({@link EdgeRow}), so the
 * graph reads a few thousand summed rows instead of grouping millions of spans.
 */
import type { EdgeRow, SpanRow } from '../store/rows';

const MINUTE_US = 60e6;
const KIND_SERVER = 2;

/** Edge counts for a batch of span rows. */
export function edgeRows(spans: SpanRow[]): EdgeRow[] {
  const edges = new Map<string, EdgeRow>();
  const add = (kind: 0 | 1, service: string, route: string | null, host: string | null, minuteUs: number, error: boolean): void => {
    const key = `${kind}\0${service}\0${route ?? ''}\0${host ?? ''}\0${minuteUs}`;
    let e = edges.get(key);
    if (e === undefined) {
      e = { kind, service, route, host, minuteUs, calls: 0, errors: 0 };
      edges.set(key, e);
    }
    e.calls++;
    if (error) e.errors++;
  };
  for (const s of spans) {
    const minuteUs = Math.floor(s.startUs / MINUTE_US) * MINUTE_US;
    if (s.peer !== null) add(0, s.service, s.requestRoute, s.peer, minuteUs, s.status === 2 || (s.httpStatus ?? 0) >= 400);
    else if (s.kind === KIND_SERVER && s.parentId !== null) add(1, s.service, null, null, minuteUs, false);
  }
  return [...edges.values()];
}
