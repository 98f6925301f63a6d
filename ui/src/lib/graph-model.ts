/** Nodes and edges for the two dependency graphs, from the API's graph answer. */
import type { Graph } from './types';

/** What a click on a node opens: a route's traces, or a service's overview. Hosts open nothing yet. */
export interface NodeTarget { service: string; route?: string }
export interface GraphNode { id: string; label: string; column: 'left' | 'right' | 'any'; open?: NodeTarget }
export interface GraphEdge { id: string; source: string; target: string; sourceLabel: string; targetLabel: string; calls: number; errorPct: number }
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
