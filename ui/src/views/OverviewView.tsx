/** The main view: tiles, charts, routes, errors, outgoing calls and the dependency graphs. */
import { useEffect } from 'preact/hooks';
import { api } from '../lib/api';
import { markReady } from '../lib/debug';
import { usePoll } from '../lib/poll';
import { routeSites } from '../lib/route-sites';
import type { ErrorGroup, Graph, OutgoingHost, Overview, RouteInventoryView, RouteStats, Series } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { Charts } from './Charts';
import { ErrorGroups } from './ErrorGroups';
import { Outgoing } from './Outgoing';
import { RoutesTable } from './RoutesTable';
import { Tiles } from './Tiles';

export interface OverviewData { overview: Overview; series: Series; routes: RouteStats[]; errors: ErrorGroup[]; outgoing: OutgoingHost[]; graph: Graph; declared: RouteInventoryView }

/** All the main view's data, fetched together so the view updates in one step. */
async function loadOverview(p: ReturnType<typeof scopeParams>): Promise<OverviewData> {
  const [overview, series, routes, errors, outgoing, graph, declared] = await Promise.all([
    api<Overview>('overview', p),
    api<Series>('series', p),
    api<RouteStats[]>('routes', p),
    api<ErrorGroup[]>('errors', p),
    api<OutgoingHost[]>('outgoing', p),
    api<Graph>('graph', p),
    api<RouteInventoryView>('code/routes', p),
  ]);
  return { overview, series, routes, errors, outgoing, graph, declared };
}

interface Props {
  state: UrlState;
  dark: boolean;
  ink: Parameters<typeof Charts>[0]['ink'];
  onChange(patch: Partial<UrlState>): void;
  onAnalyze(r: RouteStats, data: OverviewData): void;
  onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void;
}

export function OverviewView({ state, dark, ink, onChange, onAnalyze, onStatus }: Props) {
  const polled = usePoll(() => loadOverview(scopeParams(state)), [state.service, state.window, state.from, state.to], 2000);
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  useEffect(() => {
    if (polled.data !== undefined) markReady();
  }, [polled.data]);
  const d = polled.data;
  if (d === undefined) return <p class="panel muted">{polled.error ? polled.error.message : 'Loading…'}</p>;
  const showService = state.service === '';
  const sites = routeSites(d.declared.routes, d.routes);
  return (
    <div class="overview-view">
      {d.overview.requests === 0 && <p class="note" id="no-requests">No requests{state.service !== '' ? ` from ${state.service}` : ''} in this window.</p>}
      {d.overview.source === 'spans' && d.overview.requests > 0 && <p class="note">These numbers come from server spans: the sender does not export tracekit's request metrics.</p>}
      <Tiles overview={d.overview} />
      <Charts series={d.series} ink={ink} onRange={(from, to) => onChange({ from: String(from), to: String(to) })} onReset={() => onChange({ from: '', to: '' })} />
      <RoutesTable
        routes={d.routes}
        sites={sites}
        showService={showService}
        sort={state.sort}
        onSort={(sort) => onChange({ sort })}
        onAnalyze={(r) => onAnalyze(r, d)}
        onTraces={(r) => onChange({ view: 'traces', service: r.service, route: r.route, trace: '', sort: '' })}
        onOpen={(r) => onChange({ view: 'route', service: r.service, method: r.method ?? '', route: r.route, trace: '', sort: '' })}
      />
      <ErrorGroups
        groups={d.errors}
        open={state.error}
        onOpen={(fingerprint) => onChange({ error: fingerprint })}
        onTrace={(traceId, spanId) => onChange({ view: 'traces', trace: traceId, span: spanId })}
        onCode={(fingerprint) => onChange({ view: 'code', error: fingerprint, folder: '' })}
      />
      <Outgoing
        hosts={d.outgoing}
        graph={d.graph}
        showService={showService}
        dark={dark}
        onOpen={(t) => onChange(t.route !== undefined ? { view: 'traces', service: t.service, route: t.route, trace: '' } : { service: t.service })}
      />
    </div>
  );
}
