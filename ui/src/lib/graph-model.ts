/** Nodes and edges for the dependency graphs and the service map, from the API's answers. */
import * as fmt from './format';
import type { Graph, ServiceMap } from './types';

/**
 * What a click opens: a route's traces, a service's overview, or (with `traces`) a service's
 * traces narrowed by attribute filters (`attrs`, as the trace search takes them).
 */
export interface NodeTarget { service: string; route?: string; traces?: boolean; attrs?: string }
export interface GraphNode { id: string; label: string; column: 'left' | 'right' | 'any'; open?: NodeTarget }
export interface GraphEdge { id: string; source: string; target: string; sourceLabel: string; targetLabel: string; calls: number; errorPct: number; open?: NodeTarget }
export interface GraphModel { nodes: GraphNode[]; edges: GraphEdge[] }

/** `routes`: the service's routes on the left, the hosts they call on the right. `services`: service → service. */
export function graphModel(graph: Graph, kind: 'routes' | 'services', showService: boolean): GraphModel {
  const nodes = new Map<string, GraphNode>();
  const edges: GraphEdge[] = [];
  const node = (id: string, label: string, column: GraphNode['column'], open?: NodeTarget): string => {
    if (!nodes.has(id)) nodes.set(id, { id, label, column, ...(open !== undefined ? { open } : {}) });
    return id;
  };
  if (kind === 'routes') {
    for (const e of graph.routeToHost) {
      const routeLabel = showService ? `${e.service} · ${e.route}` : e.route;
      // `e.route` is "METHOD route"; the trace search takes the route alone.
      const source = node(`route:${e.service}:${e.route}`, routeLabel, 'left', { service: e.service, route: e.route.replace(/^[A-Z]+ /, '') });
      const target = node(`host:${e.host}`, e.host, 'right');
      edges.push({ id: `${source}->${target}`, source, target, sourceLabel: routeLabel, targetLabel: e.host, calls: e.calls, errorPct: e.errorPct });
    }
  } else {
    for (const e of graph.serviceToService) {
      const source = node(`service:${e.from}`, e.from, 'any', { service: e.from });
      const target = node(`service:${e.to}`, e.to, 'any', { service: e.to });
      edges.push({ id: `${source}->${target}`, source, target, sourceLabel: e.from, targetLabel: e.to, calls: e.calls, errorPct: e.errorPct });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** The trace-search filter for calls to `host` (host[:port]): its URLs name it after "//". */
export function hostFilter(host: string): string {
  return `url.full~"//${host}/"`;
}

/**
 * The service map: services (with their rate, error rate and p95) and the hosts they call;
 * a host known to be a service reporting here is that service's node. Nodes open a service's
 * traces; edges open the caller's traces of calls to that host.
 */
export function serviceMapModel(map: ServiceMap): GraphModel {
  const nodes: GraphNode[] = map.services.map((s) => ({
    id: `service:${s.service}`,
    label: `${s.service}\n${fmt.rate(s.rate)} · ${fmt.pct(s.errorPct)} err · p95 ${fmt.ms(s.p95Ms)}`,
    column: 'any',
    open: { service: s.service, traces: true },
  }));
  const ids = new Set(nodes.map((n) => n.id));
  const edges: GraphEdge[] = [];
  for (const e of map.edges) {
    const source = `service:${e.from}`;
    const target = e.toService !== null ? `service:${e.toService}` : `host:${e.host}`;
    if (!ids.has(target)) {
      ids.add(target);
      nodes.push({ id: target, label: e.host, column: 'any' });
    }
    const targetLabel = e.toService !== null ? `${e.toService} (${e.host})` : e.host;
    edges.push({ id: `${source}->${e.host}`, source, target, sourceLabel: e.from, targetLabel, calls: e.calls, errorPct: e.errorPct, open: { service: e.from, traces: true, attrs: hostFilter(e.host) } });
  }
  return { nodes, edges };
}
