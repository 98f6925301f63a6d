/** Orders a trace's spans for a waterfall: parents before children, siblings by start time. */
import type { SpanDetail } from './types';

export interface WaterfallRow { span: SpanDetail; depth: number }

export function spanTree(spans: SpanDetail[]): WaterfallRow[] {
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
  const visit = (s: SpanDetail, depth: number): void => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    rows.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  // A parent cycle leaves spans unvisited; show them rather than lose them.
  for (const s of spans) if (!seen.has(s.spanId)) visit(s, 0);
  return rows;
}
