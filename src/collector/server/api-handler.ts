/**
 * `GET /api/*`: the JSON query API the dashboard reads.
 *
 *   /api/services  /api/overview  /api/series  /api/routes  /api/route  /api/errors
 *   /api/outgoing  /api/graph     /api/service-map  /api/traces  /api/traces/:traceId  /api/status
 *   /api/code      /api/code/routes  /api/code/tree  /api/logs  /api/queries  /api/runtime
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Store } from '../store/store';
import { BadParam, codeQueryOf, folderOf, logQueryOf, queriesQueryOf, scopeOf, stepFor, traceIdOf, traceQueryOf } from './api-params';
import { inventoryRoutes, projectTree } from './code-views';
import { routeParamsOf, routeView } from './route-view';
import { serviceMap } from './service-map';
import { sendJson } from './respond';

export interface ApiContext {
  store: Store;
  /** Collector status for /api/status (ingest counters, queue depth, settings). */
  status(): Record<string, unknown>;
}

type View = (params: URLSearchParams, now: number, ctx: ApiContext) => Promise<unknown>;

const VIEWS: Record<string, View> = {
  '/api/services': (p, now, c) => c.store.services(scopeOf(p, now)),
  '/api/overview': (p, now, c) => c.store.overview(scopeOf(p, now)),
  '/api/series': (p, now, c) => {
    const scope = scopeOf(p, now);
    return c.store.series(scope, stepFor(scope));
  },
  '/api/routes': (p, now, c) => c.store.routes(scopeOf(p, now)),
  '/api/route': (p, now, c) => {
    const { service, method, route } = routeParamsOf(p);
    return routeView(c.store, scopeOf(p, now), service, method, route);
  },
  '/api/runtime': (p, now, c) => {
    const scope = scopeOf(p, now);
    return c.store.runtime(scope, stepFor(scope));
  },
  '/api/errors': (p, now, c) => c.store.errors(scopeOf(p, now)),
  '/api/code': (p, now, c) => c.store.codeInventory(codeQueryOf(p, now)),
  '/api/code/routes': (p, now, c) => inventoryRoutes(c.store, scopeOf(p, now), folderOf(p)),
  '/api/code/tree': (p, now, c) => projectTree(c.store, scopeOf(p, now)),
  '/api/logs': (p, now, c) => c.store.searchLogs(logQueryOf(p, now)),
  '/api/outgoing': (p, now, c) => c.store.outgoing(scopeOf(p, now)),
  '/api/graph': (p, now, c) => c.store.graph(scopeOf(p, now)),
  '/api/service-map': (p, now, c) => serviceMap(c.store, scopeOf(p, now)),
  '/api/queries': (p, now, c) => c.store.queries(queriesQueryOf(p, now)),
  '/api/traces': (p, now, c) => c.store.findTraces(traceQueryOf(p, now)),
  '/api/status': async (_p, _now, c) => ({ ...c.status(), stored: await c.store.counts() }),
};

/** A percent-encoded path segment; a malformed escape (`%ZZ`) is a bad parameter, not a crash. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadParam(`malformed percent-encoding in ${JSON.stringify(segment.slice(0, 80))}`);
  }
}

/** Handles one API request; never throws. */
export async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ApiContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendJson(res, 405, { error: 'the API is read-only; use GET' }, { allow: 'GET, HEAD' });
    return;
  }
  try {
    const now = Date.now();
    const view = VIEWS[url.pathname];
    if (view !== undefined) {
      sendJson(res, 200, await view(url.searchParams, now, ctx));
      return;
    }
    const m = /^\/api\/traces\/([^/]+)$/.exec(url.pathname);
    if (m !== null) {
      const trace = await ctx.store.trace(traceIdOf(decodePathSegment(m[1])));
      if (trace === undefined) sendJson(res, 404, { error: 'no such trace (it may not have arrived yet, or retention removed it)' });
      else sendJson(res, 200, trace);
      return;
    }
    sendJson(res, 404, { error: `no API at ${url.pathname}` });
  } catch (err) {
    if (err instanceof BadParam) sendJson(res, 400, { error: err.message });
    else sendJson(res, 500, { error: 'the query failed', detail: String((err as Error).message ?? err).split('\n')[0] });
  }
}
