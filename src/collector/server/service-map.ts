/**
 * `GET /api/service-map`: every service in the window as a node with its request rate, error
 * rate and p95, and every service's outgoing calls as edges. A host that is another service
 * reporting to this collector (a call to it reached that service's server span) is drawn as
 * that service, not as an address.
 */
import type { QueryScope, Store } from '../store/store';

export interface MapService { service: string; requests: number; rate: number; errorPct: number; p95Ms: number | null }
export interface MapEdge {
  from: string;
  /** The service behind the host, when known; else null and the host is the node. */
  toService: string | null;
  host: string;
  calls: number;
  errorPct: number;
  p95Ms: number | null;
}
export interface ServiceMap { services: MapService[]; edges: MapEdge[] }

export async function serviceMap(store: Store, scope: QueryScope): Promise<ServiceMap> {
  const all = { ...scope, service: undefined };
  const [names, outgoing, resolved] = await Promise.all([store.services(all), store.outgoing(all), store.hostServices(all)]);
  const services = await Promise.all(names.map(async ({ service }): Promise<MapService> => {
    const o = await store.overview({ ...all, service });
    return { service, requests: o.requests, rate: o.requestRate, errorPct: o.errorRate * 100, p95Ms: o.p95Ms };
  }));
  // A host answered by one service only is that service; one reached by several (a proxy) stays a host.
  const behind = new Map<string, Set<string>>();
  for (const r of resolved) behind.set(r.host, (behind.get(r.host) ?? new Set()).add(r.service));
  const edges: MapEdge[] = outgoing.map((o) => {
    const callees = behind.get(o.host);
    return { from: o.service, toService: callees?.size === 1 ? [...callees][0] : null, host: o.host, calls: o.calls, errorPct: o.errorPct, p95Ms: o.p95Ms };
  });
  const listed = new Set(services.map((s) => s.service));
  // A callee seen only as a callee (no requests of its own in the window) still gets its node.
  for (const e of edges) {
    if (e.toService !== null && !listed.has(e.toService)) {
      listed.add(e.toService);
      services.push({ service: e.toService, requests: 0, rate: 0, errorPct: 0, p95Ms: null });
    }
  }
  return { services, edges };
}
