/**
 * Every route of the service, sortable by any column. A route where requests repeated one
 * query template (the N+1 pattern) is red, and hovering it shows the template.
 */
import * as fmt from '../lib/format';
import { formatSort, nextSort, parseSort, sortRows, type SortColumn, type SortState } from '../lib/table-sort';
import { requestLabel } from '../lib/request-label';
import { BreakableText } from './BreakableText';
import { SortHead } from './SortHead';
import type { RouteStats } from '../lib/types';

const COLUMNS: SortColumn<RouteStats>[] = [
  { key: 'route', label: 'route', title: 'method and route template', value: (r) => `${r.route} ${r.method ?? ''}`, format: (r) => requestLabel(r.method, r.route), text: true },
  { key: 'rate', label: 'rate', title: 'requests per second', value: (r) => r.rate, format: (r) => fmt.rate(r.rate) },
  { key: 'errorPct', label: 'err %', title: 'share of requests that failed (5xx or exception)', value: (r) => r.errorPct, format: (r) => fmt.pct(r.errorPct) },
  { key: 'p50', label: 'p50', title: 'median latency', value: (r) => r.p50Ms, format: (r) => fmt.ms(r.p50Ms) },
  { key: 'p95', label: 'p95', title: '95th percentile latency', value: (r) => r.p95Ms, format: (r) => fmt.ms(r.p95Ms) },
  { key: 'p99', label: 'p99', title: '99th percentile latency', value: (r) => r.p99Ms, format: (r) => fmt.ms(r.p99Ms) },
  { key: 'max', label: 'max', title: 'slowest request', value: (r) => r.maxMs, format: (r) => fmt.ms(r.maxMs) },
  { key: 'dbq', label: 'DB q/req', title: 'database queries per request', value: (r) => r.dbQueriesPerRequest, format: (r) => fmt.avg(r.dbQueriesPerRequest) },
  { key: 'dbms', label: 'DB ms/req', title: 'time in database queries per request', value: (r) => r.dbMsPerRequest, format: (r) => fmt.ms(r.dbMsPerRequest) },
  { key: 'out', label: 'out/req', title: 'outgoing HTTP calls per request', value: (r) => r.outgoingPerRequest, format: (r) => fmt.avg(r.outgoingPerRequest) },
  { key: 'total', label: 'total', title: 'requests in the window', value: (r) => r.requests, format: (r) => fmt.count(r.requests) },
];
const DEFAULT_SORT: SortState = { key: 'total', desc: true };

function nPlusOneHint(r: RouteStats): string {
  return `N+1: ${fmt.count(r.nPlusOneRequests)} of ${fmt.count(r.requests)} requests repeated one query template:\n${r.nPlusOneTemplate ?? '(template not recorded)'}`;
}

interface Props {
  routes: RouteStats[];
  /** Where each route is declared, by `service method route`. */
  sites: Map<string, string>;
  showService: boolean;
  /** The `sort` address-bar parameter (table-sort.ts). */
  sort: string;
  onSort(param: string): void;
  onAnalyze(r: RouteStats): void;
  onTraces(r: RouteStats): void;
  /** Opens the route's own page. */
  onOpen(r: RouteStats): void;
}

export function RoutesTable({ routes, sites, showService, sort: sortParam, onSort, onAnalyze, onTraces, onOpen }: Props) {
  const sort = parseSort(sortParam, COLUMNS, DEFAULT_SORT);
  const rows = sortRows(routes, COLUMNS, sort);
  return (
    <section class="panel" id="routes" aria-label="routes">
      <h2>Routes</h2>
      {rows.length === 0 ? (
        <p class="empty">No requests in this window yet.</p>
      ) : (
        <div class="scroll">
          <table class="data routes">
            <thead>
              <tr>
                {showService && <th>service</th>}
                <SortHead columns={COLUMNS} sort={sort} onSort={(key) => onSort(formatSort(nextSort(sort, key, COLUMNS)))} />
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => {
                const nPlusOne = r.nPlusOneRequests > 0;
                return (
                  <tr key={`${r.service} ${r.method} ${r.route}`} class={nPlusOne ? 'n-plus-one' : ''} data-route={`${r.method ?? ''} ${r.route}`.trim()} title={nPlusOne ? nPlusOneHint(r) : undefined}>
                    {showService && <td>{r.service}</td>}
                    {COLUMNS.map((c) => (
                      <td key={c.key} class={c.key === 'route' ? 'route' : 'num'} data-col={c.key}>
                        {c.key === 'route' ? (
                          <a href="#" class="route-link" title="this route's page" onClick={(e) => { e.preventDefault(); onOpen(r); }}>
                            <BreakableText text={c.format(r)} />
                          </a>
                        ) : c.format(r)}
                        {c.key === 'route' && nPlusOne && <span class="badge" title={nPlusOneHint(r)}>N+1</span>}
                        {c.key === 'route' && sites.has(`${r.service} ${r.method} ${r.route}`) && <code class="site-hint" title="where the route is declared">{sites.get(`${r.service} ${r.method} ${r.route}`)}</code>}
                      </td>
                    ))}
                    <td class="actions">
                      <button type="button" class="small" onClick={() => onTraces(r)} title="this route's traces">traces</button>
                      <button type="button" class="small" data-analyze onClick={() => onAnalyze(r)} title="ask your AI provider about this route">analyze</button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
