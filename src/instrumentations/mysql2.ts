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
 * run in the context their call was made in, bound by these patches.
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

function endingMysqlCallback(call: QueryCall, cb: Callback, sw: Switch, contexts: ContextCalls): Callback {
  return endingCallback(call, cb, sw, rowCount, contexts) as Callback;
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
    if (!sw.on || !kit.active || sql === null || sql === undefined) return original.apply(this, arguments as unknown as [unknown]);
    let call: QueryCall | undefined;
    let args = arguments as unknown as unknown[];
    let withCallback = false;
    try {
      const text = typeof sql === 'string' ? sql : (sql as Command).sql;
      call = startQuery(kit.tracer, typeof text === 'string' ? text : undefined, connectionTarget(this), kit.contexts.active());
      if (call !== undefined) {
        const command = sql as Command;
        if (typeof values === 'function') {
          args = [sql, endingMysqlCallback(call, values as Callback, sw, kit.contexts)];
          withCallback = true;
        } else if (typeof cb === 'function') {
          args = [sql, values, endingMysqlCallback(call, cb as Callback, sw, kit.contexts)];
          withCallback = true;
        } else if (typeof sql === 'object' && typeof command.onResult === 'function' && typeof command.emit === 'function') {
          // A command built by Pool.query: its callback is already inside.
          command.onResult = endingMysqlCallback(call, command.onResult as Callback, sw, kit.contexts);
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
        const proto = (exports as { prototype: { getConnection: GetConnection } }).prototype;
        wrapMethod(proto, 'getConnection', (wrapped) => {
          const original = wrapped as GetConnection;
          return function getConnection(this: unknown, cb?: unknown): unknown {
            // A waiter is called from another request's release(): give it its caller's context.
            if (typeof cb !== 'function' || !sw.on) return original.apply(this, arguments as unknown as [unknown]);
            const parent = kit.contexts.active();
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
              const self = this;
              const args = arguments as unknown as unknown[];
              return kit.contexts.run(parent, () => (cb as Callback).apply(self, args));
            };
            return original.call(this, done);
          };
        });
      },
    },
  ],
};
