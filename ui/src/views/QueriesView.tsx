/**
 * The Queries view: every statement template the services ran in the window, by total time,
 * with its calls, p95, rows per call, the routes that ran it and its slowest call's trace. A
 * template some request ran as an N+1 loop is marked.
 */
import { useEffect } from 'preact/hooks';
import { markReady } from '../lib/debug';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import { formatSort, nextSort, parseSort, sortRows, type SortColumn, type SortState } from '../lib/table-sort';
import type { QueryStats } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { SortHead } from './SortHead';

const COLUMNS: SortColumn<QueryStats>[] = [
  { key: 'statement', label: 'statement', title: 'the statement template (literals replaced by placeholders)', value: (q) => q.statement, format: (q) => q.statement, text: true },
  { key: 'calls', label: 'calls', title: 'calls in the window', value: (q) => q.calls, format: (q) => fmt.count(q.calls) },
  { key: 'total', label: 'total', title: 'time spent in the statement over the window', value: (q) => q.totalMs, format: (q) => fmt.ms(q.totalMs) },
  { key: 'avg', label: 'avg', title: 'mean duration', value: (q) => q.avgMs, format: (q) => fmt.ms(q.avgMs) },
  { key: 'p95', label: 'p95', title: '95th percentile duration', value: (q) => q.p95Ms, format: (q) => fmt.ms(q.p95Ms) },
  { key: 'rows', label: 'rows/call', title: 'rows returned per call', value: (q) => q.rowsPerCall, format: (q) => fmt.avg(q.rowsPerCall) },
  { key: 'errors', label: 'errors', title: 'calls that failed', value: (q) => q.errors, format: (q) => fmt.count(q.errors) },
];
const DEFAULT_SORT: SortState = { key: 'total', desc: true };

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

/** Splits "GET /orders/:id" into method and route. */
function splitRoute(requestRoute: string): { method: string; route: string } {
  const i = requestRoute.indexOf(' ');
  return i < 0 ? { method: '', route: requestRoute } : { method: requestRoute.slice(0, i), route: requestRoute.slice(i + 1) };
}

export function QueriesView({ state, onChange, onStatus }: Props) {
  const polled = usePoll(() => api<QueryStats[]>('queries', scopeParams(state)), [state.service, state.window, state.from, state.to], 5000);
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  useEffect(() => {
    if (polled.data !== undefined) markReady();
  }, [polled.data]);
  const sort = parseSort(state.sort, COLUMNS, DEFAULT_SORT);
  const rows = sortRows(polled.data ?? [], COLUMNS, sort);
  const showService = state.service === '';
  return (
    <section class="panel" id="queries" aria-label="queries">
      <h2>Queries</h2>
      {polled.error && <p class="error-text">{polled.error.message}</p>}
      {polled.data === undefined && polled.error === undefined && <p class="muted">Loading…</p>}
      {polled.data !== undefined && rows.length === 0 && <p class="empty">No database queries in this window.</p>}
      {rows.length > 0 && (
        <div class="scroll">
          <table class="data queries">
            <thead>
              <tr>
                {showService && <th>service</th>}
                <th title="database system">db</th>
                <SortHead columns={COLUMNS} sort={sort} onSort={(key) => onChange({ sort: formatSort(nextSort(sort, key, COLUMNS)) })} />
                <th title="routes whose requests ran it">routes</th>
                <th title="the slowest call">example</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((q) => (
                <tr key={`${q.service} ${q.statement}`} class={q.nPlusOne ? 'n-plus-one' : ''} data-statement={q.statement}>
                  {showService && <td>{q.service}</td>}
                  <td>{q.system ?? '–'}</td>
                  {COLUMNS.map((c) =>
                    c.key === 'statement' ? (
                      <td key={c.key} class="statement">
                        <code>{q.statement}</code>
                        {q.nPlusOne && <span class="badge" title="a request ran this statement once per item of a list: the N+1 pattern">N+1</span>}
                      </td>
                    ) : (
                      <td key={c.key} class="num" data-col={c.key}>{c.format(q)}</td>
                    ),
                  )}
                  <td class="query-routes">
                    {q.routes.map((r) => (
                      <a key={r} href="#" data-route={r} onClick={(e) => { e.preventDefault(); onChange({ view: 'route', service: q.service, ...splitRoute(r), sort: '', trace: '' }); }}>{r}</a>
                    ))}
                  </td>
                  <td>
                    <a href={`?view=traces&trace=${q.exampleTraceId}&span=${q.exampleSpanId}`} data-example onClick={(e) => { e.preventDefault(); onChange({ view: 'traces', trace: q.exampleTraceId, span: q.exampleSpanId, sort: '' }); }}>trace</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
