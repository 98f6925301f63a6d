/**
 * Trace search (service and window from the top bar; route, status, duration range, span
 * attributes, span name and trace id here, all kept in the URL): one row per trace, sortable,
 * a duration-over-time scatter of the results, and the waterfall of the chosen trace.
 */
import { useEffect, useState } from 'preact/hooks';
import { markReady } from '../lib/debug';
import { api, apiQuery } from '../lib/api';
import { attributeParams } from '../lib/attribute-filters';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import { requestLabel } from '../lib/request-label';
import { routeSites } from '../lib/route-sites';
import { formatSort, nextSort, parseSort, sortRows, type SortColumn, type SortState } from '../lib/table-sort';
import type { RouteInventoryView, TraceDetail, TraceRow } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { SortHead } from './SortHead';
import { TraceScatter } from './TraceScatter';
import { Waterfall } from './Waterfall';

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

/** The list follows new traces as the rest of the page does (the header says "live"). */
const LIST_REFRESH_MS = 3000;

const STATUSES: [string, string][] = [['', 'any status'], ['error', 'errors'], ['ok', 'no error'], ['2xx', '2xx'], ['4xx', '4xx'], ['5xx', '5xx']];

const COLUMNS: SortColumn<TraceRow>[] = [
  { key: 'time', label: 'time', title: 'when the root request started', value: (t) => t.startMs, format: (t) => fmt.time(t.startMs), left: true },
  { key: 'spans', label: 'spans', title: 'spans in the trace', value: (t) => t.spanCount, format: (t) => fmt.count(t.spanCount) },
  { key: 'duration', label: 'duration', title: 'the root request\'s duration', value: (t) => t.durationMs, format: (t) => fmt.ms(t.durationMs) },
];
const DEFAULT_SORT: SortState = { key: 'time', desc: true };

type Draft = Pick<UrlState, 'route' | 'status' | 'minMs' | 'maxMs' | 'traceId' | 'attrs' | 'spanName'>;
const draftOf = (s: UrlState): Draft => ({ route: s.route, status: s.status, minMs: s.minMs, maxMs: s.maxMs, traceId: s.traceId, attrs: s.attrs, spanName: s.spanName });

export function TraceExplorer({ state, onChange, onStatus }: Props) {
  const [draft, setDraft] = useState<Draft>(() => draftOf(state));
  useEffect(() => setDraft(draftOf(state)), [state.route, state.status, state.minMs, state.maxMs, state.traceId, state.attrs, state.spanName]);
  const [refresh, setRefresh] = useState(0);
  const sort = parseSort(state.sort, COLUMNS, DEFAULT_SORT);
  // The slowest traces of the whole window, not only of the newest page, when sorted by duration.
  const serverSort = sort.key === 'duration' && sort.desc ? 'slowest' : 'recent';

  const list = usePoll(
    () => {
      const p = new URLSearchParams();
      const params: Record<string, string> = { ...scopeParams(state), route: state.route, status: state.status, minDurationMs: state.minMs, maxDurationMs: state.maxMs, traceId: state.traceId, name: state.spanName, sort: serverSort, limit: '200' };
      for (const [k, v] of Object.entries(params)) if (v !== '') p.set(k, v);
      for (const a of attributeParams(state.attrs)) p.append('attr', a);
      return apiQuery<TraceRow[]>('traces', p);
    },
    [state.service, state.window, state.from, state.to, state.route, state.status, state.minMs, state.maxMs, state.traceId, state.attrs, state.spanName, serverSort, refresh],
    LIST_REFRESH_MS,
  );
  // Where each request's route is declared, refreshed now and then (declarations rarely change).
  const declared = usePoll(() => api<RouteInventoryView>('code/routes', { service: state.service, window: state.window }), [state.service, state.window], 10_000);
  const rows = sortRows(list.data ?? [], COLUMNS, sort);
  const sites = routeSites(declared.data?.routes ?? [], rows.map((t) => ({ service: t.service, method: t.method, route: t.route ?? '' })));
  const detail = usePoll(() => (state.trace === '' ? Promise.resolve(undefined) : api<TraceDetail>(`traces/${encodeURIComponent(state.trace)}`)), [state.trace], 0);
  useEffect(() => onStatus({ updatedMs: list.updatedMs, error: list.error }), [list.updatedMs, list.error]);
  useEffect(() => {
    if (list.data !== undefined) markReady();
  }, [list.data]);

  const apply = (d: Draft): void => {
    onChange({ route: d.route.trim(), status: d.status, minMs: d.minMs.trim(), maxMs: d.maxMs.trim(), traceId: d.traceId.trim(), attrs: d.attrs.trim(), spanName: d.spanName.trim() });
    setRefresh((n) => n + 1);
  };
  const submit = (e: Event): void => {
    e.preventDefault();
    apply(draft);
  };
  // A choice in the list applies at once, with whatever else the form holds.
  const chooseStatus = (e: Event): void => {
    const next = { ...draft, status: (e.currentTarget as HTMLSelectElement).value };
    setDraft(next);
    apply(next);
  };
  const input = (key: keyof Draft) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });
  const open = (traceId: string): void => onChange({ trace: traceId });

  return (
    <div class="traces-view">
      <section class="panel" id="trace-search" aria-label="trace search">
        <h2>Traces</h2>
        <form class="filters" onSubmit={submit}>
          <label class="field">
            <span>route</span>
            <input name="route" value={draft.route} onInput={input('route')} placeholder="/orders/:id" />
          </label>
          <label class="field">
            <span>status</span>
            <select name="status" value={draft.status} onChange={chooseStatus}>
              {STATUSES.map(([v, label]) => (
                <option key={v} value={v}>{label}</option>
              ))}
            </select>
          </label>
          <label class="field">
            <span>min ms</span>
            <input name="minMs" type="number" min="0" step="any" value={draft.minMs} onInput={input('minMs')} class="short" />
          </label>
          <label class="field">
            <span>max ms</span>
            <input name="maxMs" type="number" min="0" step="any" value={draft.maxMs} onInput={input('maxMs')} class="short" />
          </label>
          <label class="field wide">
            <span title="on any span of the trace: key=value, key~text (contains), or key (present); quote a value with spaces">attributes</span>
            <input name="attrs" value={draft.attrs} onInput={input('attrs')} placeholder='http.response.status_code=500 db.query.text~"FROM orders" user.id' class="mono" />
          </label>
          <label class="field">
            <span>span name</span>
            <input name="spanName" value={draft.spanName} onInput={input('spanName')} placeholder="contains…" />
          </label>
          <label class="field">
            <span>trace id</span>
            <input name="traceId" value={draft.traceId} onInput={input('traceId')} placeholder="32 hex digits" class="mono" />
          </label>
          <button type="submit">search</button>
        </form>
        {list.error && <p class="error-text">{list.error.message}</p>}
        {list.data !== undefined && list.data.length === 0 && <p class="empty">No traces match in this window.</p>}
        {rows.length > 0 && <TraceScatter traces={rows} selected={state.trace} onOpen={open} />}
        {rows.length > 0 && (
          <div class="scroll short-list">
            <table class="data traces">
              <thead>
                <tr>
                  <SortHead columns={COLUMNS.slice(0, 1)} sort={sort} onSort={(key) => onChange({ sort: formatSort(nextSort(sort, key, COLUMNS)) })} />
                  <th>request</th>
                  <th>services</th>
                  <SortHead columns={COLUMNS.slice(1, 2)} sort={sort} onSort={(key) => onChange({ sort: formatSort(nextSort(sort, key, COLUMNS)) })} />
                  <th class="num">status</th>
                  <SortHead columns={COLUMNS.slice(2)} sort={sort} onSort={(key) => onChange({ sort: formatSort(nextSort(sort, key, COLUMNS)) })} />
                </tr>
              </thead>
              <tbody>
                {rows.map((t) => (
                  <tr key={t.traceId} class={`${t.error ? 'bad' : ''} ${t.traceId === state.trace ? 'selected' : ''}`} data-trace-id={t.traceId} onClick={() => open(t.traceId)}>
                    <td>{fmt.time(t.startMs)}</td>
                    <td>
                      <span class="muted">{t.service}</span>{' '}
                      <a href={`?view=traces&trace=${t.traceId}`} onClick={(e) => { e.preventDefault(); open(t.traceId); }}>
                        {requestLabel(t.method, t.route, t.name)}
                      </a>
                      {t.route !== null && sites.has(`${t.service} ${t.method} ${t.route}`) && <code class="site-hint" title="where the route is declared">{sites.get(`${t.service} ${t.method} ${t.route}`)}</code>}
                    </td>
                    <td data-col="services">{t.services.join(', ')}</td>
                    <td class="num" data-col="spans">{fmt.count(t.spanCount)}</td>
                    <td class="num">
                      {t.httpStatus ?? (t.error ? 'error' : '–')}
                      {t.errorSpans > 0 && <span class="badge" title={`${t.errorSpans} failed span${t.errorSpans === 1 ? '' : 's'} in the trace`}>{t.errorSpans}</span>}
                    </td>
                    <td class="num" data-col="duration">{fmt.ms(t.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {state.trace !== '' && detail.error && <p class="error-text panel">{detail.error.message}</p>}
      {state.trace !== '' && detail.data !== undefined && detail.data.traceId === state.trace && <Waterfall key={state.trace} trace={detail.data} selected={state.span} onSelect={(span) => onChange({ span })} />}
    </div>
  );
}
