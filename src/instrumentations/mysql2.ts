/**
 * mysql2 3.x (MySQL and MariaDB): a CLIENT span per `query` and `execute`, whichever API
 * issued it (callbacks, `mysql2/promise`, pools, pool clusters: they all end in a connection's
 * `query` or `execute`).
 *
 * From 3.20 on mysql2 publishes TracingChannels (`mysql2:query`, `mysql2:execute`,
 * `mysql2:pool:connect`), and tracekit only subscribes. Older 3.x releases are patched instead;
 * the patch's range stops at 3.20, so no query is ever seen twice.
 *
 * Context: mysql2 calls callbacks from the socket, and a pool hands a released connection to
 * the next waiter inside `release()`, in the releasing request's context. Callbacks therefore
 * run in the context their call was made in: through `bindStore` on the channels' `asyncStart`,
 * or, for older releases, by binding the callback in the patch.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { SpanKind, type Context } from '@opentelemetry/api';
import { scrubDatabaseMessage } from '../sql/scrub-message';
import { nowMs } from '../tracer/time';
import { recordError } from './record-error';
import { endQuery, endQuerySafely, endingCallback, startQuery, type QueryCall, type QueryTarget } from './db-query';
import type { ContextCalls, Kit, Switch } from './kit';
import { keepTarget } from './query-attributes';
import type { Instrumentation, ModulePatch } from './types';
import { wrapMethod } from './wrap';

const CALL = Symbol('tracekit.mysql2.call');
const PARENT = Symbol('tracekit.mysql2.parent');
const STARTED = Symbol('tracekit.mysql2.started');

/** The context object mysql2 publishes with each query (3.20+). */
interface QueryMessage {
  query?: unknown;
  database?: unknown;
  serverAddress?: unknown;
  serverPort?: unknown;
  result?: unknown;
  error?: unknown;
  [CALL]?: QueryCall;
  [PARENT]?: Context;
  [STARTED]?: number;
}

function rowCount(result: unknown): number | undefined {
  return Array.isArray(result) ? result.length : undefined;
}

/** The target of the last message: consecutive queries nearly always go to the same database. */
let lastTarget: QueryTarget | undefined;

/**
 * Where a published query goes. The same target object is handed back while the database,
 * host and port stay the same, and it is kept (see query-attributes.ts), so a query's shape
 * is found by identity instead of by a key string built per query.
 */
function messageTarget(m: QueryMessage): QueryTarget {
  const namespace = typeof m.database === 'string' ? m.database : undefined;
  const address = typeof m.serverAddress === 'string' ? m.serverAddress : undefined;
  const port = typeof m.serverPort === 'number' ? m.serverPort : undefined;
  const last = lastTarget;
  if (last !== undefined && last.namespace === namespace && last.address === address && last.port === port) return last;
  lastTarget = keepTarget<QueryTarget>({ system: 'mysql', dialect: 'mysql', namespace, address, port });
  return lastTarget;
}

/** Subscribes to one of mysql2's query channels. */
function subscribeQueries(name: string, kit: Kit, sw: Switch): void {
  const channel = tracingChannel<object, QueryMessage>(name);
  channel.subscribe({
    start(message: QueryMessage) {
      const parent = kit.contexts.active();
      message[PARENT] = parent;
      if (!sw.on || !kit.active) return;
      try {
        const call = startQuery(kit.tracer, typeof message.query === 'string' ? message.query : undefined, messageTarget(message), parent);
        if (call !== undefined) message[CALL] = call;
      } catch (err) {
        sw.fail('query start', err);
      }
    },
    end() {},
    asyncStart(message: QueryMessage) {
      const call = message[CALL];
      if (call === undefined) return;
      try {
        endQuery(call, message.error, message.error ? undefined : rowCount(message.result));
      } catch (err) {
        sw.fail('query end', err);
      }
    },
    asyncEnd() {},
    error() {},
  });
  bindCallerContext(channel, kit);
}

/** Runs the callbacks of a traced operation in the context the operation was called in. */
function bindCallerContext(channel: ReturnType<typeof tracingChannel<object, QueryMessage>>, kit: Kit): void {
  const storage = kit.contextStorage;
  if (storage === undefined) return;
  channel.asyncStart.bindStore(storage, (message) => (message as QueryMessage)[PARENT] ?? kit.contexts.active());
}

/** `mysql2:pool:connect`: only the caller's context is needed, for the callback. */
function subscribePoolConnect(kit: Kit, sw: Switch): void {
  const channel = tracingChannel<object, QueryMessage>('mysql2:pool:connect');
  channel.start.subscribe((message) => {
    (message as QueryMessage)[PARENT] = kit.contexts.active();
    (message as QueryMessage)[STARTED] = nowMs();
  });
  // A pool that cannot give a connection fails the query before it is sent: its span says so.
  channel.asyncStart.subscribe((message) => {
    const m = message as QueryMessage;
    if (!m.error || !sw.on || !kit.active) return;
    try {
      connectFailed(kit, messageTarget(m), m[PARENT] ?? kit.contexts.active(), m[STARTED], m.error);
    } catch (err) {
      sw.fail('pool connect', err);
    }
  });
  bindCallerContext(channel, kit);
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

// ---- mysql2 older than 3.20: patches ----

type Callback = (this: unknown, ...args: unknown[]) => unknown;
type QueryMethod = (this: OldConnection, sql: unknown, values?: unknown, cb?: unknown) => unknown;

interface OldConnection {
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

function connectionTarget(conn: OldConnection): QueryTarget {
  const config = conn.config;
  if (config === undefined) return readConnectionTarget({});
  const kept = configTargets.get(config);
  if (kept !== undefined && kept.database === config.database && kept.host === config.host && kept.port === config.port && kept.socketPath === config.socketPath) return kept.target;
  const target = keepTarget(readConnectionTarget(config));
  configTargets.set(config, { database: config.database, host: config.host, port: config.port, socketPath: config.socketPath, target });
  return target;
}

function readConnectionTarget(config: NonNullable<OldConnection['config']>): QueryTarget {
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
  return function (this: OldConnection, sql: unknown, values?: unknown, cb?: unknown): unknown {
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

/** The releases that publish `mysql2:*` TracingChannels. */
const CHANNEL_VERSIONS = '>=3.20.0 <4';

function connectionPatch(file: string, versions: string): ModulePatch {
  return {
    module: 'mysql2',
    versions,
    publishesChannels: CHANNEL_VERSIONS,
    file,
    patch(exports: unknown, kit: Kit): void {
      const sw = kit.switchFor('mysql2');
      const proto = (exports as { prototype: OldConnection }).prototype;
      wrapMethod(proto, 'query', (original) => tracedMethod(original, kit, sw));
      wrapMethod(proto, 'execute', (original) => tracedMethod(original, kit, sw));
    },
  };
}

export const mysql2: Instrumentation = {
  name: 'mysql2',
  supports: [{ library: 'mysql2', versions: '>=3.0.0 <4', how: 'from 3.20 its `mysql2:*` TracingChannels; below, `query`/`execute` and `getConnection` patches' }],
  enable(kit: Kit): void {
    const sw = kit.switchFor('mysql2');
    subscribeQueries('mysql2:query', kit, sw);
    subscribeQueries('mysql2:execute', kit, sw);
    subscribePoolConnect(kit, sw);
  },
  patches: [
    // Before 3.11.5 the connection class lives in lib/connection.js; from 3.11.5 its methods
    // come from lib/base/connection.js, which pool connections extend too. Where both load,
    // the base is patched first and the subclass sees the wrapper it inherits (no double wrap).
    connectionPatch('lib/base/connection.js', '>=3.11.5 <3.20.0'),
    connectionPatch('lib/connection.js', '>=3.0.0 <3.20.0'),
    {
      module: 'mysql2',
      versions: '>=3.0.0 <3.20.0',
      publishesChannels: CHANNEL_VERSIONS,
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
            const pool = this as { config?: { connectionConfig?: OldConnection['config'] } };
            const done = function (this: unknown, err: unknown): unknown {
              if (err && sw.on && kit.active) {
                try {
                  connectFailed(kit, connectionTarget({ config: pool.config?.connectionConfig } as OldConnection), parent, startMs, err);
                } catch (e) {
                  sw.fail('pool connect', e);
                }
              }
              return (cb as Callback).apply(this, arguments as unknown as unknown[]);
            };
            return original.call(this, kit.contexts.bind(parent, done));
          };
        });
      },
    },
  ],
};
