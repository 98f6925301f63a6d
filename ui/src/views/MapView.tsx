/**
 * The service map: every service with its rate, error rate and p95, and the calls between
 * them (a host that is a service reporting here is drawn as that service). Nodes open a
 * service's traces, edges the caller's traces of those calls; the tables below say the same
 * and are the keyboard's way in.
 */
import { useEffect, useMemo } from 'preact/hooks';
import { markReady } from '../lib/debug';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { hostFilter, serviceMapModel, type NodeTarget } from '../lib/graph-model';
import { usePoll } from '../lib/poll';
import type { ServiceMap } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { DependencyGraph } from './DependencyGraph';

interface Props {
  state: UrlState;
  dark: boolean;
  onChange(patch: Partial<UrlState>): void;
  onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void;
}

export function MapView({ state, dark, onChange, onStatus }: Props) {
  // The map is of every service: the service picker does not narrow it.
  const polled = usePoll(() => api<ServiceMap>('service-map', { ...scopeParams(state), service: '' }), [state.window, state.from, state.to], 5000);
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  useEffect(() => {
    if (polled.data !== undefined) markReady();
  }, [polled.data]);
  const model = useMemo(() => (polled.data === undefined ? undefined : serviceMapModel(polled.data)), [polled.data]);
  const open = (t: NodeTarget): void => onChange({ view: 'traces', service: t.service, attrs: t.attrs ?? '', route: '', status: '', trace: '', sort: '' });
  const d = polled.data;
  if (d === undefined || model === undefined) return <p class="panel muted">{polled.error ? polled.error.message : 'Loading…'}</p>;
  return (
    <div class="map-view">
      <section class="panel" id="service-map" aria-label="service map">
        <h2>Service map</h2>
        {d.services.length === 0 ? (
          <p class="empty">No services in this window.</p>
        ) : (
          <DependencyGraph id="map" title="Services and the calls between them" graph={model} kind="model" showService dark={dark} onOpen={open} />
        )}
      </section>
      {d.services.length > 0 && (
        <div class="two-col">
          <section class="panel" aria-label="services">
            <h2>Services</h2>
            <table class="data map-services">
              <thead>
                <tr><th>service</th><th class="num">rate</th><th class="num">err %</th><th class="num">p95</th></tr>
              </thead>
              <tbody>
                {d.services.map((s) => (
                  <tr key={s.service} data-service={s.service}>
                    <td><a href="#" onClick={(e) => { e.preventDefault(); open({ service: s.service }); }}>{s.service}</a></td>
                    <td class="num" data-col="rate">{fmt.rate(s.rate)}</td>
                    <td class="num" data-col="errorPct">{fmt.pct(s.errorPct)}</td>
                    <td class="num" data-col="p95">{fmt.ms(s.p95Ms)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="panel" aria-label="calls">
            <h2>Calls</h2>
            {d.edges.length === 0 ? (
              <p class="empty">No outgoing calls in this window.</p>
            ) : (
              <table class="data map-edges">
                <thead>
                  <tr><th>from</th><th>to</th><th class="num">calls</th><th class="num">err %</th><th class="num">p95</th></tr>
                </thead>
                <tbody>
                  {d.edges.map((e) => (
                    <tr key={`${e.from} ${e.host}`} data-from={e.from} data-host={e.host} data-to-service={e.toService ?? ''}>
                      <td>{e.from}</td>
                      <td>
                        <a href="#" onClick={(ev) => { ev.preventDefault(); open({ service: e.from, attrs: hostFilter(e.host) }); }}>
                          {e.toService ?? e.host}
                        </a>
                        {e.toService !== null && <span class="muted"> {e.host}</span>}
                      </td>
                      <td class="num">{fmt.count(e.calls)}</td>
                      <td class="num">{fmt.pct(e.errorPct)}</td>
                      <td class="num">{fmt.ms(e.p95Ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
      )}
    </div>
  );
}
