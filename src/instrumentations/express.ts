/**
 * Express 4 (its own lib/router) and Express 5 (the separate `router` package, 2.x).
 *
 * Express does not know the full route template of a request: a route only knows its own
 * path, and mount points only know theirs. So `use()` is wrapped to remember each layer's
 * mount path, entering a mounted layer pushes that path on a per-request stack (popped when
 * the layer calls `next`), and when a route layer is entered the template is the stack plus
 * the route's path: `/api` + `/users/:id`. That sets `http.route` and renames the server span.
 *
 * Each route handler gets an INTERNAL span, active while it runs, ended when it calls `next`
 * or when the response is done. Errors are recorded once per request: by the handler that
 * passed them to `next`, by the first error-handling middleware that receives one, or by the
 * router's final callback. Express 5 uses only the `router` package, so one request is never
 * seen by two patches.
 *
 * Registration is watched too, for the route inventory (route-inventory.ts): `route()` (which
 * every `get`/`post`/`all`/`route` call goes through) records where the route was declared,
 * `use()` records path-mounted middleware's declaration, and the application's `use()` marks
 * the layer that mounts a sub-app, so the inventory can walk into it.
 */
import { trace } from '@opentelemetry/api';
import type { AttributeBlock } from '../otlp/types';
import { LAYER_PATH } from '../symbols';
import { applyBlock, attributeBlock } from '../tracer/attribute-block';
import { AGENT_DIR } from '../tracer/agent-frames';
import type { Kit, Switch } from './kit';
import { captureSite, MAX_ROUTES, type InventoryLayer, type InventoryReader, type InventoryRouter, type SiteRef } from './route-inventory';
import { recordError } from './record-error';
import { stateOf, type RequestState } from './request-state';
import type { Instrumentation, ModulePatch } from './types';
import { wrapMethod } from './wrap';

const ROUTE_OF = Symbol('tracekit.express.routeOf');
const TAGGED = Symbol('tracekit.express.tagged');
const TEMPLATES = Symbol('tracekit.express.templates');
const HANDLER = Symbol('tracekit.express.handler');
/** Where a route, or a path-mounted middleware layer, was declared. */
const SITE = Symbol('tracekit.express.site');
/** The sub-app a `mounted_app` layer stands for. */
const SUB_APP = Symbol('tracekit.express.subApp');

type Next = (err?: unknown) => unknown;
/** What wrapMethod hands over; called back with exactly the arguments express passed. */
type Handler = (...args: never[]) => unknown;
type Fn = (this: unknown, ...args: unknown[]) => unknown;
/** A route's full template under one mount prefix, and the server span names made from it. */
interface RouteTemplate {
  template: string;
  /** `METHOD template` per method, built once rather than per request. */
  names: Map<string, string>;
}
interface Route {
  path: unknown;
  stack: Layer[];
  [TAGGED]?: number;
  [TEMPLATES]?: Map<string, RouteTemplate>;
  [SITE]?: SiteRef;
}
interface Layer {
  name: string;
  handle: Handler;
  route?: Route;
  [LAYER_PATH]?: string;
  [ROUTE_OF]?: Route;
  [HANDLER]?: HandlerSpanInfo;
  [SITE]?: SiteRef;
  [SUB_APP]?: ExpressApp;
}
/** What a route handler's spans share, kept on its layer: the span name, and its attributes per route template. */
interface HandlerSpanInfo {
  name: string;
  /** The last template seen and its attributes (a handler nearly always sits under one). */
  route: string;
  block: AttributeBlock;
  /** Other templates, when the handler's router is mounted at several paths. */
  more: Map<string, AttributeBlock> | undefined;
}
interface Router {
  stack: Layer[];
}
/** An express application, as far as the inventory reads it (express 4 keeps its router in `_router`, 5 in `router`). */
interface ExpressApp {
  handle: unknown;
  set: unknown;
  lazyrouter?: unknown;
  _router?: Router;
  router?: Router;
}
/** The request as express passes it; tracekit keeps its own data in the RequestState. */
type Req = object;

/** A route or mount path as a template string. */
function pathTemplate(path: unknown): string {
  if (typeof path === 'string') return path;
  if (Array.isArray(path)) return path.map(pathTemplate).join(',');
  if (path instanceof RegExp) return String(path);
  return '';
}

function joinPaths(prefix: string[] | undefined, path: string): string {
  // One join, so the template is a flat string (see flatJoin): it is encoded with every span of the route.
  const full = prefix === undefined || prefix.length === 0 ? path : [...prefix, path].join('');
  return full.replace(/\/{2,}/g, '/') || '/';
}

function isRealError(err: unknown): boolean {
  return err !== undefined && err !== null && err !== 'route' && err !== 'router';
}

function recordOnce(state: RequestState, span: Parameters<typeof recordError>[0], err: unknown): void {
  if (!isRealError(err) || state.lastError === err) return;
  state.lastError = err;
  recordError(span, err);
}

function wrapUse(kit: Kit, sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function use(this: Router, ...args: unknown[]): unknown {
      const before = Array.isArray(this.stack) ? this.stack.length : -1;
      const result = original.apply(this, args);
      if (!sw.on || before === -1) return result;
      try {
        const first = args[0];
        const path = typeof first === 'function' ? '/' : pathTemplate(Array.isArray(first) && typeof first[0] !== 'string' ? '/' : first);
        // A mount at `/` adds nothing to the template; leaving it untagged keeps it off the hot path.
        if (path !== '/' && path !== '') {
          const tag = path.endsWith('/') ? path.slice(0, -1) : path;
          let site: SiteRef | undefined;
          for (let i = before; i < this.stack.length; i++) {
            const layer = this.stack[i];
            layer[LAYER_PATH] = tag;
            // Middleware at a path is in the inventory (as USE); a mounted router is walked instead.
            if (childRouterOf(layer) === undefined && layer.handle.name !== 'mounted_app' && siteBudget()) {
              site ??= captureSite(AGENT_DIR, kit.appRoot, use);
              layer[SITE] = site;
            }
          }
        }
        kit.routes.noteRouter(this, INVENTORY_READER);
      } catch (err) {
        sw.fail('use', err);
      }
      return result;
    } as unknown as Handler;
  };
}

/** Declaration sites taken so far: each costs a stack capture, so they stop at the inventory's limit. */
let sitesTaken = 0;
function siteBudget(): boolean {
  return sitesTaken++ < MAX_ROUTES;
}

/** A layer's handle when it is a router (express 4's and router 2's routers are functions with a `stack`). */
function childRouterOf(layer: Layer): Router | undefined {
  const handle: unknown = layer.handle;
  return typeof handle === 'function' && Array.isArray((handle as Partial<Router>).stack) ? (handle as Partial<Router> as Router) : undefined;
}

/** An express application (a function with `handle` and `set`), as `app.use()` tells sub-apps from middleware. */
function isApp(fn: unknown): fn is ExpressApp {
  return typeof fn === 'function' && typeof (fn as Partial<ExpressApp>).handle === 'function' && typeof (fn as Partial<ExpressApp>).set === 'function';
}

/** An app's router without creating one: express 4 throws on `app.router`, express 5 makes it lazily. */
function routerOfApp(app: ExpressApp): Router | undefined {
  if (typeof app.lazyrouter === 'function') return app._router;
  return app.router;
}

const INVENTORY_READER: InventoryReader = {
  mountPath: (layer) => (layer as Layer)[LAYER_PATH],
  childRouter(layer: InventoryLayer): InventoryRouter | undefined {
    const l = layer as Layer;
    if (l[SUB_APP] !== undefined) return routerOfApp(l[SUB_APP]);
    return childRouterOf(l);
  },
  site: (target) => (target as Layer | Route)[SITE],
  template: (prefix, path) => joinPaths(prefix, pathTemplate(path)),
};

/** `route(path)`: every route registration passes here; remembers where it was declared. */
function wrapRoute(kit: Kit, sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function route(this: Router, ...args: unknown[]): unknown {
      const result = original.apply(this, args);
      if (!sw.on) return result;
      try {
        if (result !== null && typeof result === 'object' && siteBudget()) (result as Route)[SITE] = captureSite(AGENT_DIR, kit.appRoot, route);
        kit.routes.noteRouter(this, INVENTORY_READER);
      } catch (err) {
        sw.fail('route', err);
      }
      return result;
    } as unknown as Handler;
  };
}

/** The application's `use()`: marks the layer that mounts a sub-app with the sub-app. */
function wrapAppUse(sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function use(this: ExpressApp, ...args: unknown[]): unknown {
      const router = sw.on ? safeRouterOf(this) : undefined;
      const before = router === undefined ? 0 : router.stack.length;
      const result = original.apply(this, args);
      if (!sw.on) return result;
      try {
        const apps = args.flat(Infinity).filter(isApp);
        const after = safeRouterOf(this);
        if (apps.length > 0 && after !== undefined) {
          let next = 0;
          for (let i = after === router ? before : 0; i < after.stack.length && next < apps.length; i++) {
            if (after.stack[i].handle.name === 'mounted_app') after.stack[i][SUB_APP] = apps[next++];
          }
        }
      } catch (err) {
        sw.fail('app use', err);
      }
      return result;
    } as unknown as Handler;
  };
}

function safeRouterOf(app: ExpressApp): Router | undefined {
  try {
    return routerOfApp(app);
  } catch {
    return undefined;
  }
}

function wrapRouterHandle(sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function handle(this: Router, req: Req, res: unknown, out: Next): unknown {
      const state = sw.on ? stateOf(req) : undefined;
      if (state === undefined || state.outWrapped || typeof out !== 'function') return original.apply(this, arguments as unknown as unknown[]);
      state.outWrapped = true;
      const wrappedOut: Next = function (this: unknown, err?: unknown) {
        if (isRealError(err)) {
          try {
            recordOnce(state, state.span, err);
          } catch (e) {
            sw.fail('final handler', e);
          }
        }
        return out.apply(this, arguments as unknown as [unknown]);
      };
      return original.call(this, req, res, wrappedOut);
    } as unknown as Handler;
  };
}

/** The full template of a route under a mount prefix, computed once per (route, prefix). */
function routeTemplate(route: Route, mounts: string[] | undefined): RouteTemplate {
  const prefix = mounts === undefined || mounts.length === 0 ? '' : mounts.join('');
  let cache = route[TEMPLATES];
  if (cache === undefined) cache = route[TEMPLATES] = new Map();
  let entry = cache.get(prefix);
  if (entry === undefined) {
    entry = { template: joinPaths(prefix === '' ? undefined : [prefix], pathTemplate(route.path)), names: new Map() };
    // Bounded: a prefix is a mount template, not a request path, so there are few of them.
    if (cache.size < 64) cache.set(prefix, entry);
  }
  return entry;
}

/**
 * Concatenates into a flat string. `a + b` of 13 characters or more is a rope (a ConsString)
 * that every encode of a cached span name would read through (measured on Node 20: writing a
 * 19-character rope as a name and as an attribute value took about 150 ns, flat 118 ns);
 * `join` builds a sequential string once.
 */
function flatJoin(...parts: string[]): string {
  return parts.join('');
}

/** The server span name for a route and method, cached per method (a handful per route). */
function routeSpanName(entry: RouteTemplate, method: string): string {
  let name = entry.names.get(method);
  if (name === undefined) {
    name = flatJoin(method, ' ', entry.template);
    if (entry.names.size < 32) entry.names.set(method, name);
  }
  return name;
}

function onRouteLayer(layer: Layer, state: RequestState): void {
  const route = layer.route as Route;
  const entry = routeTemplate(route, state.mountStack);
  const template = entry.template;
  // The server span gets `http.route` when the request ends, from the state (see http-server).
  state.route = template;
  if (state.span.isRecording()) state.span.updateName(routeSpanName(entry, state.method));
  if (route[TAGGED] !== route.stack.length) {
    for (const l of route.stack) l[ROUTE_OF] = route;
    route[TAGGED] = route.stack.length;
  }
}

/** The attributes every span of one route handler shares (see handlerSpanInfo). */
const HANDLER_KEYS = Object.freeze(['express.type', 'code.function.name', 'http.route']);

function handlerBlock(layer: Layer, route: string): AttributeBlock {
  return attributeBlock(HANDLER_KEYS, ['request_handler', layer.name || '<anonymous>', route]);
}

/** The span name (`handler <name>`) and attributes of a route handler's span, made once per layer and template. */
function handlerSpanInfo(layer: Layer, route: string): HandlerSpanInfo {
  let info = layer[HANDLER];
  if (info === undefined) {
    info = layer[HANDLER] = { name: flatJoin('handler ', layer.name || '<anonymous>'), route, block: handlerBlock(layer, route), more: undefined };
  } else if (info.route !== route) {
    const more = (info.more ??= new Map([[info.route, info.block]]));
    let block = more.get(route);
    if (block === undefined) {
      block = handlerBlock(layer, route);
      // Bounded: templates are mount paths a program declares, not request paths.
      if (more.size < 16) more.set(route, block);
    }
    info.route = route;
    info.block = block;
  }
  return info;
}

function wrapHandleRequest(kit: Kit, sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function handleRequest(this: Layer, req: Req, res: unknown, next: Next): unknown {
      const state = sw.on ? stateOf(req) : undefined;
      if (state === undefined) return original.apply(this, arguments as unknown as unknown[]);
      let callNext = next;
      let span;
      let parentCtx;
      try {
        if (this.route !== undefined) {
          onRouteLayer(this, state);
        } else if (this[ROUTE_OF] !== undefined) {
          if (state.span.isRecording() && this.handle.length <= 3) {
            parentCtx = kit.contexts.active();
            const info = handlerSpanInfo(this, state.route ?? '');
            const handlerSpan = kit.tracer.startSpan(info.name, undefined, parentCtx);
            applyBlock(handlerSpan, info.block);
            span = handlerSpan;
            state.addPending(handlerSpan);
            callNext = function (this: unknown, err?: unknown) {
              try {
                recordOnce(state, handlerSpan, err);
                handlerSpan.end();
              } catch (e) {
                sw.fail('next', e);
              }
              return next.apply(this, arguments as unknown as [unknown]);
            };
          }
        } else if (this[LAYER_PATH] !== undefined) {
          const stack = (state.mountStack ??= []);
          const depth = stack.length;
          stack.push(this[LAYER_PATH] as string);
          callNext = function (this: unknown) {
            stack.length = depth;
            return next.apply(this, arguments as unknown as [unknown]);
          };
        }
      } catch (err) {
        sw.fail('layer', err);
        return original.apply(this, arguments as unknown as unknown[]);
      }
      if (span === undefined) {
        return callNext === next ? original.apply(this, arguments as unknown as unknown[]) : original.call(this, req, res, callNext);
      }
      const layer = this;
      return kit.contexts.run(trace.setSpan(parentCtx ?? kit.contexts.active(), span), () => original.call(layer, req, res, callNext));
    } as unknown as Handler;
  };
}

function wrapHandleError(sw: Switch) {
  return (handler: Handler): Handler => {
    const original = handler as unknown as Fn;
    return function handleError(this: Layer, error: unknown, req: Req): unknown {
      const state = sw.on ? stateOf(req) : undefined;
      if (state !== undefined && this.handle?.length === 4) {
        try {
          recordOnce(state, state.span, error);
        } catch (e) {
          sw.fail('error handler', e);
        }
      }
      return original.apply(this, arguments as unknown as unknown[]);
    } as unknown as Handler;
  };
}

function routerPatch(module: string, versions: string, file: string | undefined, methods: { use: string; handle: string; route: string }): ModulePatch {
  return {
    module,
    versions,
    file,
    patch(exports, kit) {
      const sw = kit.switchFor('express');
      // express 4 exports the router prototype itself; router 2 exports a constructor.
      const proto = (typeof exports === 'function' && (exports as { prototype?: { use?: unknown } }).prototype?.use ? (exports as { prototype: object }).prototype : exports) as Record<string, Handler>;
      wrapMethod(proto, methods.use, wrapUse(kit, sw));
      wrapMethod(proto, methods.handle, wrapRouterHandle(sw));
      wrapMethod(proto, methods.route, wrapRoute(kit, sw));
      return exports;
    },
  };
}

function layerPatch(module: string, versions: string, file: string, methods: { request: string; error: string }): ModulePatch {
  return {
    module,
    versions,
    file,
    patch(exports, kit) {
      const sw = kit.switchFor('express');
      const proto = (exports as { prototype: Record<string, Handler> }).prototype;
      wrapMethod(proto, methods.request, wrapHandleRequest(kit, sw));
      wrapMethod(proto, methods.error, wrapHandleError(sw));
      return exports;
    },
  };
}

function applicationPatch(versions: string): ModulePatch {
  return {
    module: 'express',
    versions,
    file: 'lib/application.js',
    patch(exports, kit) {
      wrapMethod(exports as Record<string, Handler>, 'use', wrapAppUse(kit.switchFor('express')));
      return exports;
    },
  };
}

export const express: Instrumentation = {
  name: 'express',
  supports: [
    { library: 'express', versions: '>=4.6.0 <5', how: 'patches of `Layer` and `Router` (`lib/router/`), `use` of `lib/application.js`' },
    { library: 'express', versions: '>=5.0.0 <6', how: 'its router (next row); `use` of `lib/application.js` for sub-apps' },
    { library: 'router', versions: '>=2.0.0 <3', how: "express 5's router: patches of `Layer` and `Router`" },
  ],
  patches: [
    routerPatch('express', '>=4.6.0 <5', 'lib/router/index.js', { use: 'use', handle: 'handle', route: 'route' }),
    applicationPatch('>=4.6.0 <5'),
    layerPatch('express', '>=4.6.0 <5', 'lib/router/layer.js', { request: 'handle_request', error: 'handle_error' }),
    // Express 5 delegates routing to `router` 2.x.
    applicationPatch('>=5.0.0 <6'),
    routerPatch('router', '>=2.0.0 <3', undefined, { use: 'use', handle: 'handle', route: 'route' }),
    layerPatch('router', '>=2.0.0 <3', 'lib/layer.js', { request: 'handleRequest', error: 'handleError' }),
  ],
};
