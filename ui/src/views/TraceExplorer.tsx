/**
 * Trace search (service and window from the top bar; route, status, minimum duration and
 * trace id here, all kept in the URL) and the waterfall of the chosen trace.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import { requestLabel } from '../lib/request-label';
import { routeSites } from '../lib/route-sites';
import type { RouteInventoryView, TraceDetail, TraceSummary } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { Waterfall } from './Waterfall';

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

/** The list follows new traces as the rest of the page does (the header says "live"). */
const LIST_REFRESH_MS = 3000;

const STATUSES: [string, string][] = [['', 'any status'], ['error', 'errors'], ['ok', 'no error'], ['2xx', '2xx'], ['4xx', '4xx'], ['5xx', '5xx']];

export function TraceExplorer({ state, onChange, onStatus }: Props) {
  const [draft, setDraft] = useState({ route: state.route, status: state.status, minMs: state.minMs, traceId: state.traceId });
  useEffect(() => setDraft({ route: state.route, status: state.status, minMs: state.minMs, traceId: state.traceId }), [state.route, state.status, state.minMs, state.traceId]);
  const [refresh, setRefresh] = useState(0);

  const list = usePoll(
    () => api<TraceSummary[]>('traces', { ...scopeParams(state), route: state.route, status: state.status, minDurationMs: state.minMs, traceId: state.traceId, limit: 200 }),
    [state.service, state.window, state.from, state.to, state.route, state.status, state.minMs, state.traceId, refresh],
    LIST_REFRESH_MS,
  );
  // Where each request's route is declared, refreshed now and then (declarations rarely change).
  const declared = usePoll(() => api<RouteInventoryView>('code/routes', { service: state.service, window: state.window }), [state.service, state.window], 10_000);
  const sites = routeSites(declared.data?.routes ?? [], (list.data ?? []).map((t) => ({ service: t.service, method: t.method, route: t.route ?? '' })));
  const detail = usePoll(() => (state.trace === '' ? Promise.resolve(undefined) : api<TraceDetail>(`traces/${encodeURIComponent(state.trace)}`)), [state.trace], 0);
  useEffect(() => onStatus({ updatedMs: list.updatedMs, error: list.error }), [list.updatedMs, list.error]);

  const apply = (d: typeof draft): void => {
    onChange({ route: d.route.trim(), status: d.status, minMs: d.minMs.trim(), traceId: d.traceId.trim() });
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
  const input = (key: keyof typeof draft) => (e: Event) => setDraft({ ...draft, [key]: (e.currentTarget as HTMLInputElement).value });

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
            <span>trace id</span>
            <input name="traceId" value={draft.traceId} onInput={input('traceId')} placeholder="32 hex digits" class="mono" />
          </label>
          <button type="submit">search</button>
        </form>
        {list.error && <p class="error-text">{list.error.message}</p>}
        {list.data !== undefined && list.data.length === 0 && <p class="empty">No traces match in this window.</p>}
        {list.data !== undefined && list.data.length > 0 && (
          <div class="scroll short-list">
            <table class="data traces">
              <thead>
                <tr>
                  <th>time</th>
                  <th>service</th>
                  <th>request</th>
                  <th class="num">status</th>
                  <th class="num">duration</th>
                </tr>
              </thead>
              <tbody>
                {list.data.map((t) => (
                  <tr key={t.traceId} class={`${t.error ? 'bad' : ''} ${t.traceId === state.trace ? 'selected' : ''}`} data-trace-id={t.traceId} onClick={() => onChange({ trace: t.traceId })}>
                    <td>{fmt.time(t.startMs)}</td>
                    <td>{t.service}</td>
                    <td>
                      <a href={`?trace=${t.traceId}`} onClick={(e) => { e.preventDefault(); onChange({ trace: t.traceId }); }}>
                        {requestLabel(t.method, t.route, t.name)}
                      </a>
                      {t.route !== null && sites.has(`${t.service} ${t.method} ${t.route}`) && <code class="site-hint" title="where the route is declared">{sites.get(`${t.service} ${t.method} ${t.route}`)}</code>}
                    </td>
                    <td class="num">{t.httpStatus ?? (t.error ? 'error' : '–')}</td>
                    <td class="num">{fmt.ms(t.durationMs)}</td>
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
