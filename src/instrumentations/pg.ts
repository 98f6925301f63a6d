/**
 * pg 8.x (node-postgres): a CLIENT span per `Client.prototype.query`, which every client form
 * goes through (text and values, config objects, named statements, callbacks, promises,
 * submittables such as cursors), and one per `Pool.query`, which checks a client out and
 * queries it (its client query then adds no second span).
 *
 * Two context traps are closed here. pg calls a query's callback from the socket's data event,
 * in whatever context opened the connection, so the callback is run in the caller's context.
 * And pg-pool hands a released client to the next waiter from inside `release()`, in the
 * releasing request's context (node-postgres issue 2533), so `Pool.connect`'s callback is
 * bound to the context it was called in. With both, a query's parent is the request that
 * issued it.
 *
 * `Pool.query` calls `this.connect` at once and, in its callback, the client's `query`: the
 * connect made by our `Pool.query` wrapper is marked by a flag set around that call, and its
 * callback runs with a depth counter up, which tells the client query to add no span. Plain
 * variables, not a context value: entering a context on Node 24 copies AsyncLocalStorage's
 * frame (a Map), and the two entries per query were most of a query's garbage
 * (docs/agent.md, "Context entries").
 *
 * pg does not publish diagnostics channels, hence the patch. pg-native is not covered.
 */
import type { Context, Tracer } from '@opentelemetry/api';
import { endQuery, endQuerySafely, endingCallback, startQuery, type QueryCall, type QueryTarget } from './db-query';
import type { ContextCalls, Kit, Switch } from './kit';
import { keepTarget } from './query-attributes';
import type { Instrumentation } from './types';
import { wrapMethod } from './wrap';

/** True while our `Pool.query` wrapper calls the original, until pg-pool's `connect` takes it. */
let poolQueryConnecting = false;
/** Above 0 while the connect callback of a traced `Pool.query` runs: its span covers the client query made there. */
let inPoolQuery = 0;

type Callback = (this: unknown, err: unknown, result?: unknown) => unknown;
type Query = (this: PgClient, config: unknown, values?: unknown, callback?: unknown) => unknown;

interface PgClient {
  database?: string;
  host?: string;
  port?: number | string;
  query: Query;
}

interface QueryConfig {
  text?: unknown;
  callback?: unknown;
  submit?: unknown;
  cursor?: { text?: unknown };
  handleError?: unknown;
  handleReadyForQuery?: unknown;
}

/** Rows a result holds; a multi-statement text gives an array of results. */
function countRows(result: unknown): number | undefined {
  if (Array.isArray(result)) {
    let total = 0;
    for (const r of result) total += countRows(r) ?? 0;
    return total;
  }
  const rows = (result as { rows?: unknown } | null | undefined)?.rows;
  return Array.isArray(rows) ? rows.length : undefined;
}

function queryText(config: unknown): string | undefined {
  if (typeof config === 'string') return config;
  if (config === null || typeof config !== 'object') return undefined;
  const c = config as QueryConfig;
  if (typeof c.text === 'string') return c.text;
  // pg-query-stream keeps its text on the cursor it wraps.
  return typeof c.cursor?.text === 'string' ? c.cursor.text : undefined;
}

/** One target per client while its database, host and port stay as they were (see query-attributes.ts). */
const clientTargets = new WeakMap<PgClient, QueryTarget>();

function target(client: PgClient): QueryTarget {
  const port = typeof client.port === 'string' ? Number(client.port) : client.port;
  const known = clientTargets.get(client);
  if (known !== undefined && known.namespace === client.database && known.address === client.host && Object.is(known.port, port)) return known;
  const made = keepTarget<QueryTarget>({ system: 'postgresql', dialect: 'postgresql', namespace: client.database, address: client.host, port });
  clientTargets.set(client, made);
  return made;
}

function wrapCallback(call: QueryCall, callback: Callback, sw: Switch, contexts: ContextCalls): Callback {
  return endingCallback(call, callback, sw, countRows, contexts);
}

/** A submittable (cursor, stream, `new Query()`) reports its end through these two methods. */
function watchSubmittable(call: QueryCall, submittable: QueryConfig, sw: Switch): void {
  for (const method of ['handleError', 'handleReadyForQuery'] as const) {
    const original = submittable[method];
    if (typeof original !== 'function') continue;
    Object.defineProperty(submittable, method, {
      configurable: true,
      writable: true,
      enumerable: false,
      value: function (this: unknown, ...args: unknown[]): unknown {
        try {
          endQuery(call, method === 'handleError' ? args[0] : undefined, undefined);
        } catch (e) {
          sw.fail('submittable end', e);
        }
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      },
    });
  }
}

/**
 * Returns the promise the caller gets: it settles after the span ends, with the same value or
 * error, and an unhandled rejection stays unhandled for the caller, exactly as before.
 */
function endWithPromise(call: QueryCall, result: PromiseLike<unknown>, sw: Switch): PromiseLike<unknown> {
  return result.then(
    (value: unknown) => {
      try {
        endQuery(call, undefined, countRows(value));
      } catch (e) {
        sw.fail('query end', e);
      }
      return value;
    },
    (err: unknown) => {
      try {
        endQuery(call, err, undefined);
      } catch (e) {
        sw.fail('query end', e);
      }
      throw err;
    },
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

function tracedQuery(original: Query, tracer: Tracer, kit: Kit, sw: Switch): Query {
  return function query(this: PgClient, config: unknown, values?: unknown, callback?: unknown): unknown {
    if (!sw.on || !kit.active || config === null || config === undefined) return original.apply(this, arguments as unknown as [unknown]);
    if (inPoolQuery > 0) return original.apply(this, arguments as unknown as [unknown]);
    const parent: Context = kit.contexts.active();
    let call: QueryCall | undefined;
    let args = arguments as unknown as unknown[];
    let promised = false;
    try {
      call = startQuery(tracer, queryText(config), target(this), parent);
      if (call !== undefined) {
        const c = config as QueryConfig;
        if (typeof c.submit === 'function') {
          watchSubmittable(call, c, sw);
        } else if (typeof values === 'function') {
          args = [config, wrapCallback(call, values as Callback, sw, kit.contexts)];
        } else if (typeof callback === 'function') {
          args = [config, values, wrapCallback(call, callback as Callback, sw, kit.contexts)];
        } else if (typeof c.callback === 'function') {
          // pg writes the callback into the config object: hand it a copy, not the caller's.
          const copy = Object.assign(Object.create(Object.getPrototypeOf(c) as object) as QueryConfig, c);
          copy.callback = wrapCallback(call, c.callback as Callback, sw, kit.contexts);
          args = [copy, values];
        } else {
          promised = true;
        }
      }
    } catch (err) {
      sw.fail('query start', err);
      return original.apply(this, arguments as unknown as [unknown]);
    }
    let result: unknown;
    try {
      result = original.apply(this, args as [unknown]);
    } catch (err) {
      // pg throws synchronously for a bad call (no text, a non-function callback).
      // The caller gets its own error, whatever happens to the span.
      if (call !== undefined) endQuerySafely(call, err, undefined, sw, 'query end');
      throw err;
    }
    return promised && call !== undefined && isThenable(result) ? endWithPromise(call, result, sw) : result;
  };
}

interface PgPool {
  query: unknown;
  options?: { host?: string; port?: number | string; database?: string; connectionString?: string };
}

/** One target per pool options object: parsed once, not per query. */
const poolTargets = new WeakMap<object, QueryTarget>();

function poolTarget(pool: PgPool): QueryTarget {
  const options = pool.options;
  const known = options !== undefined ? poolTargets.get(options) : undefined;
  if (known !== undefined) return known;
  const made = keepTarget(readPoolTarget(options ?? {}));
  if (options !== undefined) poolTargets.set(options, made);
  return made;
}

function readPoolTarget(o: NonNullable<PgPool['options']>): QueryTarget {
  let { host, port, database } = o;
  if (typeof o.connectionString === 'string') {
    try {
      const url = new URL(o.connectionString);
      host ??= url.hostname;
      port ??= url.port;
      database ??= decodeURIComponent(url.pathname.slice(1));
    } catch {
      // Not a URL (a socket path, say): report what the options say.
    }
  }
  const p = typeof port === 'string' ? Number(port || 5432) : port ?? 5432;
  return { system: 'postgresql', dialect: 'postgresql', namespace: database || undefined, address: host ?? 'localhost', port: p };
}

/**
 * `Pool.query` checks a client out and queries it. Its span starts before the checkout, so it
 * covers waiting for a connection, and a connection that cannot be made is an error span too.
 */
type PoolQuery = (this: PgPool, text: unknown, values?: unknown, cb?: unknown) => unknown;

function tracedPoolQuery(original: PoolQuery, tracer: Tracer, kit: Kit, sw: Switch): PoolQuery {
  return function query(this: PgPool, text: unknown, values?: unknown, cb?: unknown): unknown {
    if (!sw.on || !kit.active || text === null || text === undefined || typeof text === 'function') {
      return original.apply(this, arguments as unknown as [unknown]);
    }
    let call: QueryCall | undefined;
    let args = arguments as unknown as unknown[];
    let promised = false;
    try {
      call = startQuery(tracer, queryText(text), poolTarget(this), kit.contexts.active());
      if (call !== undefined) {
        if (typeof values === 'function') args = [text, wrapCallback(call, values as Callback, sw, kit.contexts)];
        else if (typeof cb === 'function') args = [text, values, wrapCallback(call, cb as Callback, sw, kit.contexts)];
        else promised = true;
      }
    } catch (err) {
      sw.fail('pool query start', err);
      return original.apply(this, arguments as unknown as [unknown]);
    }
    let result: unknown;
    poolQueryConnecting = call !== undefined;
    try {
      result = original.apply(this, args as [unknown]);
    } finally {
      poolQueryConnecting = false;
    }
    return promised && call !== undefined && isThenable(result) ? endWithPromise(call, result, sw) : result;
  };
}

type Connect = (this: unknown, cb?: unknown) => unknown;

/** The connect callback of a traced `Pool.query`: the client query it makes adds no span. */
function poolQueryCallback(cb: Callback): Callback {
  return function (this: unknown): unknown {
    inPoolQuery++;
    try {
      return cb.apply(this, arguments as unknown as [unknown]);
    } finally {
      inPoolQuery--;
    }
  };
}

export const pg: Instrumentation = {
  name: 'pg',
  supports: [
    // 8.0.0-8.0.2 never connect on Node 14 and later.
    { library: 'pg', versions: '>=8.0.3 <9', how: '`Client.prototype.query` wrapper (pg-native is not covered)' },
    { library: 'pg-pool', versions: '>=3.1.1 <4', how: '`Pool.prototype.query` wrapper, `Pool.prototype.connect` context binding' },
  ],
  patches: [
    {
      module: 'pg',
      versions: '>=8.0.3 <9',
      file: 'lib/client.js',
      patch(exports: unknown, kit: Kit): void {
        const sw = kit.switchFor('pg');
        const proto = (exports as { prototype: PgClient }).prototype;
        wrapMethod(proto, 'query', (original) => tracedQuery(original, kit.tracer, kit, sw));
      },
    },
    {
      module: 'pg-pool',
      versions: '>=3.1.1 <4',
      patch(exports: unknown, kit: Kit): void {
        const sw = kit.switchFor('pg');
        const proto = (exports as { prototype: { connect: Connect; query: PoolQuery } }).prototype;
        wrapMethod(proto, 'query', (original) => tracedPoolQuery(original, kit.tracer, kit, sw));
        wrapMethod(proto, 'connect', (wrapped) => {
          const original = wrapped as Connect;
          return function connect(this: unknown, cb?: unknown): unknown {
            const fromPoolQuery = poolQueryConnecting;
            poolQueryConnecting = false;
            if (typeof cb !== 'function' || !sw.on) return original.apply(this, arguments as unknown as [unknown]);
            if (fromPoolQuery) return original.call(this, poolQueryCallback(cb as Callback));
            // The callback may run from another request's release(): give it its caller's context
            // (a plain closure: the API's `bind` also copies the length, which pg-pool never reads).
            const parent = kit.contexts.active();
            return original.call(this, function (this: unknown): unknown {
              const self = this;
              const args = arguments as unknown as [unknown];
              return kit.contexts.run(parent, () => (cb as Callback).apply(self, args));
            });
          };
        });
      },
    },
  ],
};
