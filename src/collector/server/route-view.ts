/**
 * `GET /api/route?service=&method=&route=`: one route's page. Its figures (the routes table's
 * row), latency histogram and status codes, its slowest and most recent traces, the queries
 * and outgoing calls its requests made, and the errors raised in them.
 */
import type { ErrorGroup, OutgoingHost, QueryScope, QueryStats, RouteDistribution, RouteStats, Store, TraceSummary } from '../store/store';
import { BadParam } from './api-params';

export interface RouteView {
  service: string;
  method: string | null;
  route: string;
  /** The routes table's row; null when the route had no request in the window. */
  figures: RouteStats | null;
  distribution: RouteDistribution;
  slowest: TraceSummary[];
  recent: TraceSummary[];
  queries: QueryStats[];
  outgoing: OutgoingHost[];
  errors: ErrorGroup[];
}

/** The name the routes table gives requests no route matched. */
export const UNMATCHED = '(unmatched)';
const TRACES = 10;

/** Reads `service`, `method` and `route`; `route` and `service` are required. */
export function routeParamsOf(params: URLSearchParams): { service: string; method: string | null; route: string } {
  const service = params.get('service') ?? '';
  const route = params.get('route') ?? '';
  const method = params.get('method') ?? '';
  if (service === '') throw new BadParam('service is required');
  if (route === '') throw new BadParam('route is required');
  if (route.length > 1024 || method.length > 32) throw new BadParam('route or method too long');
  return { service, method: method === '' ? null : method, route };
}

/** Everything the route page shows, read together. */
export async function routeView(store: Store, scope: QueryScope, service: string, method: string | null, route: string): Promise<RouteView> {
  const s = { ...scope, service };
  const requestRoute = method === null ? route : `${method} ${route}`;
  const unmatched = route === UNMATCHED;
  const traces = { ...s, route, method: method ?? undefined, status: undefined, minDurationMs: undefined, traceId: undefined, limit: TRACES };
  const [routes, distribution, slowest, recent, queries, outgoing, errors] = await Promise.all([
    store.routes(s),
    store.routeDistribution(s, method, unmatched ? null : route),
    store.searchTraces({ ...traces, order: 'slowest' }),
    store.searchTraces({ ...traces, order: 'recent' }),
    unmatched ? Promise.resolve([]) : store.queries({ ...s, requestRoute, limit: 50 }),
    unmatched ? Promise.resolve([]) : store.outgoing(s, requestRoute),
    unmatched ? Promise.resolve([]) : store.errors(s, route),
  ]);
  const figures = routes.find((r) => r.route === route && (r.method ?? null) === method) ?? null;
  return { service, method, route, figures, distribution, slowest, recent, queries, outgoing, errors };
}
