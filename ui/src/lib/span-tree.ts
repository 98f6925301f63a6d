/**
 * Orders a trace's spans for a waterfall: parents before children, siblings by start time.
 * A run of siblings that repeat one operation (the same service and name, no children of
 * their own, at least {@link GROUP_MIN} of them: the N+1 pattern) becomes one group row until
 * it is opened. A span's subtree can be folded away.
 */
import type { SpanDetail } from './types';

/** Repeated siblings fewer than this stay separate rows. */
export const GROUP_MIN = 3;

export type WaterfallRow =
  | { kind: 'span'; span: SpanDetail; depth: number; /** Spans below it, shown or not. */ descendants: number; collapsed: boolean }
  | { kind: 'group'; id: string; depth: number; spans: SpanDetail[] };

export interface TreeChoices {
  /** Group ids the user opened. */
  open?: ReadonlySet<string>;
  /** Span ids whose subtrees the user folded away. */
  collapsed?: ReadonlySet<string>;
  /** A span to keep visible: a group holding it is drawn open, and no fold hides it. */
  reveal?: string;
}

/** The rows to draw. */
export function spanTree(spans: SpanDetail[], choices: TreeChoices = {}): WaterfallRow[] {
  const open = choices.open ?? new Set<string>();
  const collapsed = choices.collapsed ?? new Set<string>();
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
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  // The revealed span's ancestors: none of them is folded.
  const ancestors = new Set<string>();
  for (let cur = choices.reveal === undefined ? undefined : byId.get(choices.reveal), hops = 0; cur?.parentId != null && hops < 1000; hops++) {
    ancestors.add(cur.parentId);
    cur = byId.get(cur.parentId);
  }
  const countBelow = new Map<string, number>();
  const below = (s: SpanDetail): number => {
    const known = countBelow.get(s.spanId);
    if (known !== undefined) return known;
    countBelow.set(s.spanId, 0); // a parent cycle counts nothing more
    let n = 0;
    for (const k of children.get(s.spanId) ?? []) n += 1 + below(k);
    countBelow.set(s.spanId, n);
    return n;
  };
  const byStart = (a: SpanDetail, b: SpanDetail): number => a.startMs - b.startMs;
  const rows: WaterfallRow[] = [];
  const seen = new Set<string>();
  const isLeaf = (s: SpanDetail): boolean => (children.get(s.spanId) ?? []).length === 0;
  const same = (a: SpanDetail, b: SpanDetail): boolean => a.service === b.service && a.name === b.name;
  const hide = (s: SpanDetail): void => {
    for (const k of children.get(s.spanId) ?? []) {
      if (seen.has(k.spanId)) continue;
      seen.add(k.spanId);
      hide(k);
    }
  };
  const visit = (s: SpanDetail, depth: number): void => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    const folded = collapsed.has(s.spanId) && !ancestors.has(s.spanId);
    rows.push({ kind: 'span', span: s, depth, descendants: below(s), collapsed: folded });
    if (folded) {
      hide(s);
      return;
    }
    const kids = (children.get(s.spanId) ?? []).sort(byStart);
    for (let i = 0; i < kids.length; ) {
      let end = i + 1;
      while (isLeaf(kids[i]) && end < kids.length && isLeaf(kids[end]) && same(kids[i], kids[end])) end++;
      const run = kids.slice(i, end);
      const id = `${s.spanId}:${kids[i].spanId}`;
      const shown = open.has(id) || run.some((k) => k.spanId === choices.reveal);
      if (run.length >= GROUP_MIN && !shown) {
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
