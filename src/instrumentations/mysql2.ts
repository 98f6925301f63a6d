/**
 * mysql2 3.x (MySQL and MariaDB): a CLIENT span per `query` and `execute`, whichever API
 * issued it (callbacks, `mysql2/promise`, pools, pool clusters: they all end in a connection's
 * `query` or `execute`).
 *
 * From 3.20 on mysql2 also publishes TracingChannels (`mysql2:query`, `mysql2:execute`,
 * `mysql2:pool:connect`). tracekit patches every 3.x release instead of subscribing: with a
 * subscriber, each query goes through Node's `traceCallback` and `runStores` (argument
 * copies, a splice, closures, and a context entry per callback), and the `/mysql` bench route
 * cost about 4% more CPU a request that way than with these patches, traces identical
 * (docs/instrumentation.md, "mysql2: patches, not channels").
 *
 * Context: mysql2 calls callbacks from the socket, and a pool hands a released connection to
 * the next waiter inside `release()`, in the releasing request's context. Callbacks therefore
 * run in the context their call was made in, bound by these patches, with two exceptions that
 * need no context entry (docs/agent.md, "Context entries"):
 * - a pool's own `query`/`execute` marks the `getConnection` it makes, and that callback hands
 *   the caller's context to the connection query it makes through a module variable;
 * - a callback that only settles a native promise of the promise API (`mysql2/promise`, from
 *   3.11.5, where its classes have files of their own) is called as it is: whoever awaits
 *   that promise resumes in their own context whichever context settles it.
 */
import { SpanKind, type Context } from '@opentelemetry/api';
import { scrubDatabaseMessage } from '../sql/scrub-message';
import { nowMs } from '../tracer/time';
import { recordError } from './record-error';
import { endQuery, endQuerySafely, endingCallback, startQuery, type QueryCall, type QueryTarget } from './db-query';
import type { ContextCalls, Kit, Switch } from './kit';
import { keepTarget } from './query-attributes';
import type { Instrumentation, ModulePatch } from './types';
import { wrapMethod } from './wrap';

/**
 * Set synchronously by one layer of a call and read by the next (each reader clears it), so no
 * call sees another's. `promiseCall`: a promise-API method whose Promise is the native one is
 * running. `poolParent`: a pool's `query`/`execute` wrapper is running, for its `getConnection`.
 * `handoffParent`: a marked `getConnection` callback is running, for its connection query.
 */
let promiseCall = false;
let poolParent: Context | undefined;
let poolSettlesPromise = false;
let handoffParent: Context | undefined;
let handoffSettlesPromise = false;

function rowCount(result: unknown): number | undefined {
  return Array.isArray(result) ? result.length : undefined;
}

/** A CLIENT span `connect` marked with the error that kept a pool from handing out a connection. */
function connectFailed(kit: Kit, target: QueryTarget, parent: Context, startMs: number | undefined, error: unknown): void {
  const span = kit.tracer.startSpan('connect', { kind: SpanKind.CLIENT, startTime: startMs }, parent);
  if (!span.isRecording()) return;
  span.setAttribute('db.system.name', target.system);
  if (target.namespace) span.setAttribute('db.namespace', target.namespace);
  if (target.address) span.setAttribute('server.address', target.address);
  if (target.port !== undefined) span.setAttribute('server.port', target.port);
  recordError(span, error, scrubDatabaseMessage);
  span.end();
}

type Callback = (this: unknown, ...args: unknown[]) => unknown;
type QueryMethod = (this: Connection, sql: unknown, values?: unknown, cb?: unknown) => unknown;

interface Connection {
  config?: { host?: string; port?: number; database?: string; socketPath?: string };
  query: QueryMethod;
  execute: QueryMethod;
}

interface Command {
  sql?: unknown;
  onResult?: unknown;
  emit?: (event: string | symbol, ...args: unknown[]) => boolean;
}

/**
 * One target per connection config object (a pool's connections share theirs), made again when
 * its fields change (`changeUser` can switch the database); see query-attributes.ts.
 */
const configTargets = new WeakMap<object, { database?: string; host?: string; port?: number; socketPath?: string; target: QueryTarget }>();

function connectionTarget(conn: Connection): QueryTarget {
  const config = conn.config;
  if (config === undefined) return readConnectionTarget({});
  const kept = configTargets.get(config);
  if (kept !== undefined && kept.database === config.database && kept.host === config.host && kept.port === config.port && kept.socketPath === config.socketPath) return kept.target;
  const target = keepTarget(readConnectionTarget(config));
  configTargets.set(config, { database: config.database, host: config.host, port: config.port, socketPath: config.socketPath, target });
  return target;
}

function readConnectionTarget(config: NonNullable<Connection['config']>): QueryTarget {
  return {
    system: 'mysql',
    dialect: 'mysql',
    namespace: config.database,
    address: config.socketPath ?? config.host ?? 'localhost',
    port: config.socketPath ? undefined : config.port ?? 3306,
  };
}

/** Wraps a query callback: ends the span, then calls `cb` in the query's context, or as it is when it only settles a native promise. */
function endingMysqlCallback(call: QueryCall, cb: Callback, sw: Switch, contexts: ContextCalls, settlesPromise: boolean): Callback {
  return endingCallback(call, cb, sw, rowCount, settlesPromise ? undefined : contexts) as Callback;
}

/** Emitter mode (no callback): the command emits `error` (maybe) and then `end`. */
function watchCommand(call: QueryCall, cmd: Command, sw: Switch): void {
  const emit = cmd.emit;
  if (typeof emit !== 'function') return;
  let failure: unknown;
  Object.defineProperty(cmd, 'emit', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function (this: unknown, event: string | symbol, ...args: unknown[]): boolean {
      try {
        if (event === 'error') failure = args[0];
        else if (event === 'end') endQuery(call, failure, undefined);
      } catch (e) {
        sw.fail('query end', e);
      }
      return emit.call(this, event, ...args);
    },
  });
}

function tracedMethod(original: QueryMethod, kit: Kit, sw: Switch): QueryMethod {
  return function (this: Connection, sql: unknown, values?: unknown, cb?: unknown): unknown {
    const handedParent = handoffParent;
    const settlesPromise = handedParent !== undefined ? handoffSettlesPromise : promiseCall;
    handoffParent = undefined;
    promiseCall = false;
    if (!sw.on || !kit.active || sql === null || sql === undefined) return original.apply(this, arguments as unknown as [unknown]);
    let call: QueryCall | undefined;
    let args = arguments as unknown as unknown[];
    let withCallback = false;
    try {
      const text = typeof sql === 'string' ? sql : (sql as Command).sql;
      call = startQuery(kit.tracer, typeof text === 'string' ? text : undefined, connectionTarget(this), handedParent ?? kit.contexts.active());
      if (call !== undefined) {
        const command = sql as Command;
        if (typeof values === 'function') {
          args = [sql, endingMysqlCallback(call, values as Callback, sw, kit.contexts, settlesPromise)];
          withCallback = true;
        } else if (typeof cb === 'function') {
          args = [sql, values, endingMysqlCallback(call, cb as Callback, sw, kit.contexts, settlesPromise)];
          withCallback = true;
        } else if (typeof sql === 'object' && typeof command.onResult === 'function' && typeof command.emit === 'function') {
          // A command built by Pool.query: its callback is already inside.
          command.onResult = endingMysqlCallback(call, command.onResult as Callback, sw, kit.contexts, settlesPromise);
          withCallback = true;
        }
      }
    } catch (err) {
      sw.fail('query start', err);
      return original.apply(this, arguments as unknown as [unknown]);
    }
    let cmd: unknown;
    try {
      cmd = original.apply(this, args as [unknown]);
    } catch (err) {
      // The caller gets its own error, whatever happens to the span.
      if (call !== undefined) endQuerySafely(call, err, undefined, sw, 'query end');
      throw err;
    }
    if (call !== undefined && !withCallback) {
      try {
        if (cmd !== null && typeof cmd === 'object') watchCommand(call, cmd as Command, sw);
      } catch (err) {
        sw.fail('query watch', err);
      }
    }
    return cmd;
  };
}

type GetConnection = (this: unknown, cb?: unknown) => unknown;
type PoolMethod = (this: unknown, sql: unknown, values?: unknown, cb?: unknown) => unknown;

/**
 * A pool's `query` or `execute`: it calls `getConnection` at once and, in its callback, the
 * connection's method. The wrapper leaves the caller's context for that `getConnection`.
 */
function markingPoolMethod(original: PoolMethod, kit: Kit, sw: Switch): PoolMethod {
  return function (this: unknown): unknown {
    const settlesPromise = promiseCall;
    promiseCall = false;
    if (!sw.on || !kit.active) return original.apply(this, arguments as unknown as [unknown]);
    poolParent = kit.contexts.active();
    poolSettlesPromise = settlesPromise;
    try {
      return original.apply(this, arguments as unknown as [unknown]);
    } finally {
      poolParent = undefined;
    }
  };
}

/**
 * `getConnection`: its callback may run from another request's `release()`, so it gets its
 * caller's context: entered for the app's own callback, handed over (no entry) for the callback
 * of a pool's `query`/`execute`, whose only traced call is its connection's method. (Should that
 * method throw at once, mysql2 calls the app's callback from there, outside the caller's
 * context; only spans the app starts in that callback would get the wrong parent.)
 */
function contextKeepingGetConnection(original: GetConnection, kit: Kit, sw: Switch): GetConnection {
  return function getConnection(this: unknown, cb?: unknown): unknown {
    const marked = poolParent;
    const settlesPromise = poolSettlesPromise;
    poolParent = undefined;
    if (typeof cb !== 'function' || !sw.on) return original.apply(this, arguments as unknown as [unknown]);
    const parent = marked ?? kit.contexts.active();
    const startMs = nowMs();
    const pool = this as { config?: { connectionConfig?: Connection['config'] } };
    // One closure that runs the callback in `parent`: the API's `bind` also copies the
    // function's length onto its wrapper, a map change per call that nothing here reads.
    const done = function (this: unknown, err: unknown): unknown {
      if (err && sw.on && kit.active) {
        try {
          connectFailed(kit, connectionTarget({ config: pool.config?.connectionConfig } as Connection), parent, startMs, err);
        } catch (e) {
          sw.fail('pool connect', e);
        }
      }
      if (marked !== undefined && !err) {
        handoffParent = marked;
        handoffSettlesPromise = settlesPromise;
        try {
          return (cb as Callback).apply(this, arguments as unknown as unknown[]);
        } finally {
          handoffParent = undefined;
        }
      }
      // A failed checkout calls the app's callback from here: in its context.
      const self = this;
      const args = arguments as unknown as unknown[];
      return kit.contexts.run(parent, () => (cb as Callback).apply(self, args));
    };
    return original.call(this, done);
  };
}

/**
 * The promise API's `query`/`execute` (from 3.11.5, `lib/promise/*.js`): says whether the
 * callback it hands the core layer only settles a native promise. A userland Promise library
 * (the `Promise` option) may run its reactions in the context that settles them, so its
 * callbacks still run in the caller's context.
 */
function promiseMethod(original: PoolMethod, sw: Switch): PoolMethod {
  return function (this: unknown): unknown {
    if (!sw.on) return original.apply(this, arguments as unknown as [unknown]);
    promiseCall = (this as { Promise?: unknown } | undefined)?.Promise === Promise;
    try {
      return original.apply(this, arguments as unknown as [unknown]);
    } finally {
      promiseCall = false;
    }
  };
}

function connectionPatch(file: string, versions: string): ModulePatch {
  return {
    module: 'mysql2',
    versions,
    file,
    patch(exports: unknown, kit: Kit): void {
      const sw = kit.switchFor('mysql2');
      const proto = (exports as { prototype: Connection }).prototype;
      wrapMethod(proto, 'query', (original) => tracedMethod(original, kit, sw));
      wrapMethod(proto, 'execute', (original) => tracedMethod(original, kit, sw));
    },
  };
}

function promisePatch(file: string): ModulePatch {
  return {
    module: 'mysql2',
    versions: '>=3.11.5 <4',
    file,
    patch(exports: unknown, kit: Kit): void {
      const sw = kit.switchFor('mysql2');
      const proto = (exports as { prototype: { query: PoolMethod; execute: PoolMethod } }).prototype;
      wrapMethod(proto, 'query', (original) => promiseMethod(original, sw));
      wrapMethod(proto, 'execute', (original) => promiseMethod(original, sw));
    },
  };
}

export const mysql2: Instrumentation = {
  name: 'mysql2',
  supports: [{ library: 'mysql2', versions: '>=3.0.0 <4', how: '`query`/`execute` and `getConnection` patches (also from 3.20, where its TracingChannels cost more CPU)' }],
  patches: [
    // Before 3.11.5 the connection class lives in lib/connection.js; from 3.11.5 its methods
    // come from lib/base/connection.js, which pool connections extend too. Where both load,
    // the base is patched first and the subclass sees the wrapper it inherits (no double wrap).
    connectionPatch('lib/base/connection.js', '>=3.11.5 <4'),
    connectionPatch('lib/connection.js', '>=3.0.0 <4'),
    {
      module: 'mysql2',
      versions: '>=3.0.0 <4',
      file: 'lib/pool.js',
      patch(exports: unknown, kit: Kit): void {
        const sw = kit.switchFor('mysql2');
        const proto = (exports as { prototype: { getConnection: GetConnection; query: PoolMethod; execute: PoolMethod } }).prototype;
        wrapMethod(proto, 'getConnection', (original) => contextKeepingGetConnection(original, kit, sw));
        wrapMethod(proto, 'query', (original) => markingPoolMethod(original, kit, sw));
        wrapMethod(proto, 'execute', (original) => markingPoolMethod(original, kit, sw));
      },
    },
    promisePatch('lib/promise/pool.js'),
    promisePatch('lib/promise/connection.js'),
  ],
};
