/**
 * The route inventory (docs/instrumentation.md, "Route inventory"): every route the app
 * registers, with its full template and the file:line that declared it, built from the app's
 * own registration calls rather than from its source text.
 *
 * Registration only records facts on the router objects (where a route was declared, which
 * layer mounts which router or sub-app); the full templates are resolved by walking the
 * routers from their roots when the inventory is built, so a router filled in after it was
 * mounted, or mounted at several paths, comes out right. Building is debounced: the first
 * registration after a report schedules one, a second later, and it is sent only when it
 * differs from the last one sent.
 */
import { METHODS } from 'node:http';
import { log } from '../shared/logger';
import { parseStack } from '../shared/stack-frames';

/** One entry of the inventory, as sent. */
export interface RouteEntry {
  /** `GET`, `POST`, ..., `ALL` for `all()`, `USE` for middleware mounted at a path. */
  method: string;
  /** The full template, mounts resolved, exactly as the request spans' `http.route`. */
  route: string;
  kind: 'route' | 'middleware';
  /** The last handler's name (`<anonymous>` when it has none). */
  function: string;
  /** Where the registration call was made: relative to the app's root when inside it. */
  file: string;
  line: number;
  column: number;
}

/** Where a registration call was made. */
export interface DeclarationSite {
  file: string;
  line: number;
  column: number;
}

/** A route or use layer as the inventory walks it (express 4 and router 2 share these fields). */
export interface InventoryLayer {
  name?: string;
  handle?: unknown;
  route?: InventoryRoute;
  method?: string;
}

export interface InventoryRoute {
  path: unknown;
  stack: InventoryLayer[];
  methods?: Record<string, boolean | undefined>;
}

export interface InventoryRouter {
  stack: InventoryLayer[];
}

/** How the express instrumentation reads its own marks off routers, routes and layers. */
export interface InventoryReader {
  /** The mount path a `use` layer was tagged with (none for `/`). */
  mountPath(layer: InventoryLayer): string | undefined;
  /** The router a layer mounts: a router, or the router of a mounted sub-app. */
  childRouter(layer: InventoryLayer): InventoryRouter | undefined;
  /** Where a route or a path-mounted middleware layer was declared. */
  site(target: InventoryRoute | InventoryLayer): SiteRef | undefined;
  /** A route's template under a prefix of mount paths: the same function the request path uses. */
  template(prefix: string[], path: unknown): string;
}

/** At most this many entries are reported; beyond it the inventory says so once. */
export const MAX_ROUTES = 5000;
/** At most this many routers are remembered (an app has a handful; a test suite may make many). */
const MAX_ROUTERS = 2000;
/** Mount nesting deeper than this is a cycle or a mistake; the walk stops there. */
const MAX_DEPTH = 32;
const DEBOUNCE_MS = 1000;

/** Frames of the routing library itself (express, router) between the app and our wrapper. */
const LIBRARY_FRAME = /[\\/]node_modules[\\/](express|router)[\\/]/;

/** Frames kept per registration: the app's frame is the second or third (wrapper, express, app). */
const SITE_FRAMES = 10;

/**
 * A registration's call site, captured now and read later. Capturing a stack costs a few µs;
 * turning it into text costs as much again and more, so that is left to the first `get()`,
 * which the debounced report makes, not the app's start-up.
 */
export class SiteRef {
  private site: DeclarationSite | undefined | null = null;

  constructor(
    private holder: { stack?: string } | undefined,
    private readonly agentDir: string,
    private readonly root: string | undefined,
  ) {}

  /** The first frame outside tracekit, express and router, relative to the app's root when inside it. */
  get(): DeclarationSite | undefined {
    if (this.site !== null) return this.site;
    this.site = undefined;
    const stack = this.holder?.stack;
    this.holder = undefined;
    if (typeof stack !== 'string') return undefined;
    for (const line of stack.split('\n')) {
      const frame = parseStack(line)[0];
      if (frame === undefined || frame.file.startsWith(this.agentDir) || LIBRARY_FRAME.test(frame.file)) continue;
      const prefix = this.root === undefined ? undefined : this.root.endsWith('/') ? this.root : `${this.root}/`;
      const file = prefix !== undefined && frame.file.startsWith(prefix) ? frame.file.slice(prefix.length) : frame.file;
      this.site = { file, line: frame.line, column: frame.column };
      break;
    }
    return this.site;
  }
}

/**
 * Captures the call site of a registration (frames above `above`, tracekit's wrapper, are left
 * out). `agentDir` is tracekit's own folder, `root` the app's. Runs only when a route is
 * registered, never per request.
 */
export function captureSite(agentDir: string, root: string | undefined, above: (...args: never[]) => unknown): SiteRef {
  const limit = Error.stackTraceLimit;
  const holder: { stack?: string } = {};
  try {
    Error.stackTraceLimit = SITE_FRAMES;
    Error.captureStackTrace(holder, above);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return new SiteRef(holder, agentDir, root);
}

/** The handler's name for a method of a route: its last layer for that method. */
function handlerName(route: InventoryRoute, method: string): string {
  let found: InventoryLayer | undefined;
  for (let i = route.stack.length - 1; i >= 0 && found === undefined; i--) {
    const m = route.stack[i].method;
    if (method === '_all' ? m === undefined || m === '_all' : m === method) found = route.stack[i];
  }
  // `app.all()` gave every method its own layer: any of them names the handler.
  const name = (found ?? route.stack[route.stack.length - 1])?.name;
  return name === undefined || name === '' || name === 'anonymous' ? '<anonymous>' : name;
}

/** Every method Node knows, lower case: express's `app.all()` registers each of them one by one. */
const ALL_METHODS = METHODS.map((m) => m.toLowerCase());

/**
 * The methods a route answers. `_all` (from `route.all()`/`router.all()`) stays `_all`; a route
 * that has every method Node knows came from `app.all()` and is reported as one `_all`.
 */
function methodsOf(route: InventoryRoute): string[] {
  const out: string[] = [];
  const methods = route.methods;
  if (methods === undefined || methods === null) return out;
  for (const key of Object.keys(methods)) if (methods[key] === true) out.push(key);
  if (out.length >= ALL_METHODS.length && ALL_METHODS.every((m) => methods[m] === true)) return ['_all', ...out.filter((m) => m !== '_all' && !ALL_METHODS.includes(m))];
  return out;
}

/**
 * The inventory of one process. The express instrumentation tells it about routers and
 * registrations; `onReport` is set by the agent to send a changed inventory.
 */
export class RouteInventory {
  /** Called with every inventory that differs from the last one reported. */
  onReport: ((entries: RouteEntry[], truncated: boolean) => void) | undefined;
  private routers = new Set<WeakRef<InventoryRouter>>();
  private known = new WeakSet<InventoryRouter>();
  private timer: NodeJS.Timeout | undefined;
  private lastSent = '';
  private reader: InventoryReader | undefined;

  constructor(private readonly delayMs = DEBOUNCE_MS) {}

  /** Remembers a router that routes or mounts were registered on, and schedules a report. */
  noteRouter(router: InventoryRouter, reader: InventoryReader): void {
    this.reader = reader;
    if (!this.known.has(router)) {
      if (this.routers.size >= MAX_ROUTERS) this.prune();
      if (this.routers.size < MAX_ROUTERS) {
        this.known.add(router);
        this.routers.add(new WeakRef(router));
      } else log.once('debug', 'route-inventory-routers', `more than ${MAX_ROUTERS} routers: later ones are not in the route inventory`);
    }
    this.schedule();
  }

  private prune(): void {
    for (const ref of this.routers) if (ref.deref() === undefined) this.routers.delete(ref);
  }

  private schedule(): void {
    if (this.timer !== undefined || this.onReport === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.report();
    }, this.delayMs);
    this.timer.unref();
  }

  /** Builds the inventory now and reports it if it changed. Never throws. */
  report(): void {
    try {
      const { entries, truncated } = this.build();
      const key = JSON.stringify(entries);
      if (key === this.lastSent) return;
      this.lastSent = key;
      // Said in the inventory itself (the Code view shows it) and at info: a test suite that
      // makes a thousand apps in one process passes the limit, and a warning there is noise.
      if (truncated) log.once('info', 'route-inventory-limit', `the app registers more than ${MAX_ROUTES} routes; the route inventory reports the first ${MAX_ROUTES}`);
      this.onReport?.(entries, truncated);
    } catch (err) {
      log.once('debug', 'route-inventory-failed', `could not build the route inventory: ${String(err)}`);
    }
  }

  /** Every route reachable from a root router (one that no known router mounts), mounts resolved. */
  build(): { entries: RouteEntry[]; truncated: boolean } {
    const reader = this.reader;
    const entries: RouteEntry[] = [];
    if (reader === undefined) return { entries, truncated: false };
    this.prune();
    const live: InventoryRouter[] = [];
    for (const ref of this.routers) {
      const r = ref.deref();
      if (r !== undefined) live.push(r);
    }
    const children = new Set<InventoryRouter>();
    for (const router of live) {
      for (const layer of router.stack) {
        const child = reader.childRouter(layer);
        if (child !== undefined) children.add(child);
      }
    }
    let truncated = false;
    const add = (entry: RouteEntry): void => {
      if (entries.length < MAX_ROUTES) entries.push(entry);
      else truncated = true;
    };
    const walk = (router: InventoryRouter, prefix: string[], path: Set<InventoryRouter>): void => {
      if (path.has(router) || prefix.length > MAX_DEPTH) return;
      path.add(router);
      for (const layer of router.stack) {
        const route = layer.route;
        if (route !== undefined && route !== null) {
          const template = reader.template(prefix, route.path);
          const site = reader.site(route)?.get();
          for (const m of methodsOf(route)) {
            add({ method: m === '_all' ? 'ALL' : m.toUpperCase(), route: template, kind: 'route', function: handlerName(route, m), file: site?.file ?? '', line: site?.line ?? 0, column: site?.column ?? 0 });
          }
          continue;
        }
        const mount = reader.mountPath(layer);
        const child = reader.childRouter(layer);
        if (child !== undefined) {
          walk(child, mount === undefined ? prefix : [...prefix, mount], path);
          continue;
        }
        const site = reader.site(layer)?.get();
        if (mount !== undefined && site !== undefined) {
          const name = layer.name === undefined || layer.name === '' || layer.name === 'anonymous' ? '<anonymous>' : layer.name;
          add({ method: 'USE', route: reader.template(prefix, mount), kind: 'middleware', function: name, file: site.file, line: site.line, column: site.column });
        }
      }
      path.delete(router);
    };
    for (const router of live) if (!children.has(router)) walk(router, [], new Set());
    return { entries, truncated };
  }

  /** Stops the pending report (agent shutdown). */
  stop(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.onReport = undefined;
  }
}
