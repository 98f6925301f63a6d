/**
 * The Code views (docs/collector.md, "Route inventory"): the routes an app declared, each with
 * its live figures for the window (routes never requested included), and the project tree of
 * folders → files → routes with figures rolled up per folder.
 *
 * The figures come from the same request metrics as `/api/routes`; a declared route matches
 * the metrics of its service, template and method (`ALL` matches every method). Middleware
 * mounted at a path (`USE`) has no figures of its own: requests it ends carry no route.
 */
import type { DeclaredRoute, QueryScope, RouteFigures, Store } from '../store/store';

/** A declared route with its figures. */
export interface InventoryRoute extends DeclaredRoute {
  requests: number;
  rate: number;
  errors: number;
  errorPct: number;
  p95Ms: number | null;
  lastHitMs: number | null;
  /** A route (not middleware) with no request in the window. */
  neverHit: boolean;
}

export interface RouteInventoryView {
  routes: InventoryRoute[];
  /** Routes (middleware not counted) with no request in the window. */
  neverHit: number;
  /** Services whose inventory was cut at the limit (5,000 routes). */
  truncated: string[];
}

/** One folder or file of the project tree, with its routes' figures rolled up. */
export interface TreeNode {
  name: string;
  /** Relative path (`src/routes`, `src/routes/users.js`); `` for the root. */
  path: string;
  type: 'folder' | 'file';
  routes: number;
  neverHit: number;
  requests: number;
  errors: number;
  rate: number;
  errorPct: number;
  /** The slowest p95 among its routes. */
  p95Ms: number | null;
  children: TreeNode[];
  /** A file's routes, in declaration order. */
  entries?: InventoryRoute[];
}

function key(service: string, route: string): string {
  return `${service}\u0000${route}`;
}

/** The declared routes of the scope's service(s) in `folder`, joined with their figures. */
export async function inventoryRoutes(store: Store, scope: QueryScope, folder: string | undefined): Promise<RouteInventoryView> {
  const [declared, stats] = await Promise.all([store.declaredRoutes(scope.service, folder), store.routeFigures(scope)]);
  const byRoute = new Map<string, RouteFigures[]>();
  for (const s of stats) {
    const list = byRoute.get(key(s.service, s.route));
    if (list === undefined) byRoute.set(key(s.service, s.route), [s]);
    else list.push(s);
  }
  const routes: InventoryRoute[] = [];
  let neverHit = 0;
  for (const d of declared) {
    let requests = 0;
    let errors = 0;
    let rate = 0;
    let p95: number | null = null;
    let last: number | null = null;
    if (d.kind === 'route') {
      for (const s of byRoute.get(key(d.service, d.route)) ?? []) {
        if (d.method !== 'ALL' && s.method !== d.method) continue;
        requests += s.requests;
        errors += s.errors;
        rate += s.rate;
        if (s.p95Ms !== null) p95 = Math.max(p95 ?? 0, s.p95Ms);
        if (s.lastHitMs !== null) last = Math.max(last ?? 0, s.lastHitMs);
      }
    }
    const never = d.kind === 'route' && requests === 0;
    if (never) neverHit++;
    // Spelled out rather than spread: a spread object with this many more keys is slow to build.
    routes.push({
      service: d.service, method: d.method, route: d.route, kind: d.kind, function: d.function, file: d.file, line: d.line, column: d.column, reportedMs: d.reportedMs, truncated: d.truncated,
      requests, rate, errors, errorPct: requests === 0 ? 0 : (100 * errors) / requests, p95Ms: p95, lastHitMs: last, neverHit: never,
    });
  }
  const truncated = [...new Set(declared.filter((d) => d.truncated).map((d) => d.service))];
  return { routes, neverHit, truncated };
}

function node(name: string, path: string, type: TreeNode['type']): TreeNode {
  return { name, path, type, routes: 0, neverHit: 0, requests: 0, errors: 0, rate: 0, errorPct: 0, p95Ms: null, children: [] };
}

/** The project tree: folders → files → routes, every folder with its routes' figures summed. */
export async function projectTree(store: Store, scope: QueryScope): Promise<TreeNode> {
  const { routes } = await inventoryRoutes(store, scope, undefined);
  const root = node('', '', 'folder');
  // Each node's children by type and name, so a file with many siblings is found at once.
  const index = new Map<TreeNode, Map<string, TreeNode>>();
  for (const r of routes) {
    const parts = (r.file === '' ? '(unknown)' : r.file).split('/').filter((p) => p !== '');
    const chain: TreeNode[] = [root];
    let at = root;
    for (let i = 0; i < parts.length; i++) {
      const type = i === parts.length - 1 ? 'file' : 'folder';
      let children = index.get(at);
      if (children === undefined) index.set(at, (children = new Map()));
      let next = children.get(`${type}:${parts[i]}`);
      if (next === undefined) {
        next = node(parts[i], at.path === '' ? parts[i] : `${at.path}/${parts[i]}`, type);
        children.set(`${type}:${parts[i]}`, next);
        at.children.push(next);
      }
      at = next;
      chain.push(at);
    }
    (at.entries ??= []).push(r);
    for (const n of chain) {
      if (r.kind === 'route') n.routes++;
      if (r.neverHit) n.neverHit++;
      n.requests += r.requests;
      n.errors += r.errors;
      n.rate += r.rate;
      if (r.p95Ms !== null) n.p95Ms = Math.max(n.p95Ms ?? 0, r.p95Ms);
    }
  }
  const finish = (n: TreeNode): void => {
    n.errorPct = n.requests === 0 ? 0 : (100 * n.errors) / n.requests;
    // Folders first, then files, each by name.
    n.children.sort((a, b) => (a.type === b.type ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.type === 'folder' ? -1 : 1));
    for (const c of n.children) finish(c);
  };
  finish(root);
  return root;
}
