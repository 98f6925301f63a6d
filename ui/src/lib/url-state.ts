/**
 * What the user is looking at lives in the address bar, so a view can be reloaded, bookmarked
 * and shared: `?service=shop&window=15m&view=traces&trace=<id>&route=...`.
 */
export const WINDOWS = ['1m', '5m', '15m', '1h', '6h', '24h'] as const;
export type WindowName = (typeof WINDOWS)[number];
export type ViewName = 'overview' | 'traces' | 'map' | 'queries' | 'runtime' | 'route' | 'code' | 'logs' | 'debug';
const VIEWS: readonly ViewName[] = ['overview', 'traces', 'map', 'queries', 'runtime', 'route', 'code', 'logs', 'debug'];

export interface UrlState {
  service: string;
  window: WindowName;
  /**
   * An explicit time range in epoch milliseconds (a zoomed chart or the range picker): when set,
   * every view shows it instead of the last `window`.
   */
  from: string;
  to: string;
  view: ViewName;
  /** The trace open in the waterfall, and its span whose details are open. */
  trace: string;
  span: string;
  /** Trace explorer filters; `route` (with `method`) is also the route a route page shows. */
  route: string;
  method: string;
  status: string;
  minMs: string;
  maxMs: string;
  traceId: string;
  /** Trace search: attribute filters as typed (attribute-filters.ts), and a span-name text. */
  attrs: string;
  spanName: string;
  /** Code view: the folder (or file) the tree, routes and inventory are narrowed to. */
  folder: string;
  /** An error group (fingerprint): opened in the overview, or the code inventory narrowed to it. */
  error: string;
  /** Logs view: the lowest severity (`debug`, `info`, `warn`, `error`) and a text to find. */
  severity: string;
  q: string;
  /** Debug view: the breakpoint whose snapshots are listed, and the snapshot open. */
  bp: string;
  snapshot: string;
  /** The sort of the view's main table (table-sort.ts). */
  sort: string;
}

const DEFAULTS: UrlState = { service: '', window: '15m', from: '', to: '', view: 'overview', trace: '', span: '', route: '', method: '', status: '', minMs: '', maxMs: '', traceId: '', attrs: '', spanName: '', folder: '', error: '', severity: '', q: '', bp: '', snapshot: '', sort: '' };

export function readUrlState(search: string = location.search): UrlState {
  const p = new URLSearchParams(search);
  const w = p.get('window') ?? '';
  const state: UrlState = { ...DEFAULTS };
  for (const k of Object.keys(DEFAULTS) as (keyof UrlState)[]) {
    const v = p.get(k);
    if (v !== null && k !== 'window' && k !== 'view') (state as unknown as Record<string, string>)[k] = v;
  }
  state.window = (WINDOWS as readonly string[]).includes(w) ? (w as WindowName) : DEFAULTS.window;
  const view = p.get('view') as ViewName | null;
  state.view = view !== null && VIEWS.includes(view) ? view : 'overview';
  return state;
}

/** The query string for a state, leaving defaults out. */
export function toSearch(state: UrlState): string {
  const p = new URLSearchParams();
  for (const k of Object.keys(DEFAULTS) as (keyof UrlState)[]) {
    if (state[k] !== DEFAULTS[k]) p.set(k, state[k]);
  }
  const s = p.toString();
  return s === '' ? '' : `?${s}`;
}

/** Records a new state: a new history entry when the view or trace changes, else in place. */
export function writeUrlState(next: UrlState, prev: UrlState): void {
  const search = toSearch(next);
  if (search === location.search) return;
  const newEntry = next.view !== prev.view || next.trace !== prev.trace || next.from !== prev.from || next.to !== prev.to || next.folder !== prev.folder || next.snapshot !== prev.snapshot;
  if (newEntry) history.pushState(null, '', location.pathname + search);
  else history.replaceState(null, '', location.pathname + search);
}

/** The service and time range every API view takes. */
export function scopeParams(state: UrlState): { service: string; window: string; from: string; to: string } {
  return { service: state.service, window: state.window, from: state.from, to: state.to };
}

/** True when the page shows an explicit time range rather than the last `window`. */
export function hasRange(state: UrlState): boolean {
  return state.from !== '' && state.to !== '';
}
