/**
 * Orders a trace's spans for a waterfall: parents before children, siblings by start time.
 * A run of siblings that repeat one operation (the same service and name, no children of
 * their own, at least {@link GROUP_MIN} of them: the N+1 pattern) becomes one group row until
 * it is opened.
 */
import type { SpanDetail } from './types';

/** Repeated siblings fewer than this stay separate rows. */
export const GROUP_MIN = 3;

export type WaterfallRow =
  | { kind: 'span'; span: SpanDetail; depth: number }
  | { kind: 'group'; id: string; depth: number; spans: SpanDetail[] };

/** The rows to draw; `open` holds the ids of the groups the user opened. */
export function spanTree(spans: SpanDetail[], open: ReadonlySet<string> = new Set()): WaterfallRow[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, SpanDetail[]>();
  const roots: SpanDetail[] = [];
  for (const s of spans) {
    // A span whose parent has not arrived (or lives in another trace) is shown as a root.
    if (s.parentId === null || !ids.has(s.parentId)) roots.push(s);
    else {
      const list = children.get(s.parentId) ?? [];
      list.push(s);
      children.set(s.parentId, list);
    }
  }
  const byStart = (a: SpanDetail, b: SpanDetail): number => a.startMs - b.startMs;
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const isLeaf = (s: SpanDetail): boolean => (children.get(s.spanId) ?? []).length === 0;
  const same = (a: SpanDetail, b: SpanDetail): boolean => a.service === b.service && a.name === b.name;
  const visit = (s: SpanDetail, depth: number): void => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    rows.push({ kind: 'span', span: s, depth });
    const kids = (children.get(s.spanId) ?? []).sort(byStart);
    for (let i = 0; i < kids.length; ) {
      let end = i + 1;
      while (isLeaf(kids[i]) && end < kids.length && isLeaf(kids[end]) && same(kids[i], kids[end])) end++;
      const run = kids.slice(i, end);
      const id = `${s.spanId}:${kids[i].spanId}`;
      if (run.length >= GROUP_MIN && !open.has(id)) {
        for (const k of run) seen.add(k.spanId);
        rows.push({ kind: 'group', id, depth: depth + 1, spans: run });
      } else {
        if (run.length >= GROUP_MIN) rows.push({ kind: 'group', id, depth: depth + 1, spans: run });
        for (const k of run) visit(k, depth + 1);
      }
      i = end;
    }
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  // A parent cycle leaves spans unvisited; show them rather than lose them.
  for (const s of spans) if (!seen.has(s.spanId)) visit(s, 0);
  return rows;
}
