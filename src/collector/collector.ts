/**
 * A running collector: the store, the write queue, the ingest pipeline, the HTTP server and
 * the retention sweep, started and stopped together.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BreakpointRegistry } from './debug/breakpoint-registry';
import { IngestPipeline } from './ingest/pipeline';
import { WriteQueue } from './ingest/write-queue';
import { AccessPolicy, apiKeyProblem, isLoopback, MIN_REMOTE_KEY_LENGTH } from './server/access';
import { createDashboard } from './server/dashboard';
import { createRouter } from './server/router';
import { DuckDbStore } from './store/duckdb/duckdb-store';
import type { Store } from './store/store';

export interface CollectorOptions {
  host: string;
  port: number;
  dbPath: string;
  retentionMs: number;
  apiKey: string | undefined;
  memoryLimit: string;
  maxBodyBytes: number;
  maxPendingRows: number;
  /** Origins the dashboard's AI assist may call (the CSP's connect-src); default Anthropic and OpenAI. */
  aiOrigins?: string[];
  /** A log text or trace search starts no new slice after this many ms (docs/collector.md, "Logs"); default 40. */
  logSearchBudgetMs?: number;
  /** Where the dashboard's built files are; default dist/ui. */
  assetsDir?: string;
}

/** A start-up failure a user can fix; the CLI prints the message and exits with 2. */
export class CollectorStartError extends Error {
  override name = 'CollectorStartError';
}

export interface RunningCollector {
  url: string;
  store: Store;
  pipeline: IngestPipeline;
  queue: WriteQueue;
  breakpoints: BreakpointRegistry;
  /** Runs the retention sweep now; resolves to rows removed. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const SWEEP_EVERY_MS = 60_000;
/** Limits on slow and idle clients (docs/collector.md, "Limits"). */
export const SERVER_LIMITS = {
  /** Time to send a request's headers; also how long a new connection may stay silent. */
  headersTimeoutMs: 10_000,
  /** Time to send a whole request, body included. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this (longer than the agent's 30 s, so the client closes first). */
  keepAliveTimeoutMs: 65_000,
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: 1024,
  /** On stop: how long requests in progress may take to finish before their connections are closed. */
  drainMs: 5_000,
} as const;

function listen(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EADDRINUSE') reject(new CollectorStartError(`port ${port} on ${host} is already in use (another tracekit start?); pass --port to choose another`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new CollectorStartError(`cannot listen on ${host}: no such local address`));
      else if (err.code === 'EACCES') reject(new CollectorStartError(`not allowed to listen on ${host}:${port}`));
      else reject(new CollectorStartError(`cannot listen on ${host}:${port}: ${err.message}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Opens the store and starts serving. Throws CollectorStartError (or StoreOpenError). */
export async function startCollector(o: CollectorOptions): Promise<RunningCollector> {
  const loopback = isLoopback(o.host);
  const keyProblem = apiKeyProblem(o.apiKey, loopback);
  if (keyProblem !== undefined) {
    const why = loopback ? '' : ': anyone who can reach it could read and write your telemetry';
    throw new CollectorStartError(`refusing to listen on ${o.host} ${keyProblem}${why}; pass --api-key (or TRACEKIT_COLLECTOR_API_KEY) with at least ${MIN_REMOTE_KEY_LENGTH} printable characters, or bind 127.0.0.1`);
  }
  const store = await DuckDbStore.open(o.dbPath, { memoryLimit: o.memoryLimit, logSearchBudgetMs: o.logSearchBudgetMs });
  const queue = new WriteQueue(store, { maxPendingRows: o.maxPendingRows, maxRowsPerWrite: 20_000 });
  const registry = new BreakpointRegistry();
  const pipeline = new IngestPipeline(queue, (service, id) => registry.admitSnapshot(service, id));
  const started = Date.now();
  let lastSweep: { at: number; removed: number } | undefined;
  const sweep = async (): Promise<number> => {
    const removed = await store.sweep((Date.now() - o.retentionMs) * 1000);
    pipeline.forgetResources();
    lastSweep = { at: Date.now(), removed };
    return removed;
  };
  const server = createServer({
    keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
    headersTimeout: SERVER_LIMITS.headersTimeoutMs,
    requestTimeout: SERVER_LIMITS.requestTimeoutMs,
    // How often the timeouts above are checked (Node's default, 30 s, lets a stalled client stay that much longer).
    connectionsCheckingInterval: 1000,
  }, createRouter({
    access: new AccessPolicy(loopback, o.apiKey),
    pipeline,
    limits: { maxBodyBytes: o.maxBodyBytes, retryAfterSeconds: 1 },
    api: {
      store,
      status: () => ({ startedMs: started, retentionMs: o.retentionMs, queueDepth: queue.depth, writes: queue.writes, failedWrites: queue.failedWrites, lastWriteFailure: queue.lastFailure, ingest: pipeline.counters, lastSweep, connections: openConnections }),
    },
    debug: { registry, store },
    dashboard: createDashboard({ assetsDir: o.assetsDir, aiOrigins: o.aiOrigins }),
  }));
  server.maxConnections = SERVER_LIMITS.maxConnections;
  let openConnections = 0;
  server.on('connection', (socket) => {
    openConnections++;
    socket.once('close', () => openConnections--);
    // Node's headers timeout only runs once a request has begun: a connection that sends
    // nothing, or half a request line and then nothing, is closed here after the same time.
    socket.setTimeout(SERVER_LIMITS.headersTimeoutMs, () => socket.destroy());
  });
  // From its first request on, a connection is Node's to time out (request and keep-alive timeouts).
  server.on('request', (req: IncomingMessage) => {
    if (req.socket.timeout === SERVER_LIMITS.headersTimeoutMs) req.socket.setTimeout(0);
  });
  let address: AddressInfo;
  try {
    address = await listen(server, o.host, o.port);
  } catch (err) {
    registry.close();
    await store.close();
    throw err;
  }
  await sweep().catch(() => undefined);
  const timer = setInterval(() => void sweep().catch(() => undefined), Math.min(SWEEP_EVERY_MS, Math.max(1000, o.retentionMs / 10)));
  timer.unref();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    store,
    pipeline,
    queue,
    breakpoints: registry,
    sweep,
    close: async () => {
      clearInterval(timer);
      registry.close();
      // Stop listening and drop idle connections; requests in progress get a bounded time to
      // finish, then their connections are closed too, so no client can hold the exit.
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), SERVER_LIMITS.drainMs);
        // A keep-alive connection whose request finishes after this point turns idle, and
        // Node closes idle connections only once, in close(): look again until all are gone.
        const sweepIdle = setInterval(() => server.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(sweepIdle);
          resolve();
        });
      });
      await slowStepWarning('the writes in progress', queue.idle());
      try {
        await slowStepWarning('the store to close', store.close());
      } catch (err) {
        process.stderr.write(`tracekit collector: ${(err as Error).message}\n`);
      }
    },
  };
}

/** How long a step of stopping may take before the collector says on stderr what it waits for. */
const SLOW_STOP_STEP_MS = 10_000;

/** Awaits `step`; should it take long, says once on stderr what the stop is waiting for. */
async function slowStepWarning<T>(what: string, step: Promise<T>): Promise<T> {
  const timer = setTimeout(() => process.stderr.write(`tracekit collector: stopping is still waiting for ${what}\n`), SLOW_STOP_STEP_MS);
  try {
    return await step;
  } finally {
    clearTimeout(timer);
  }
}
