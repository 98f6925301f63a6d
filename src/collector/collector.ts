/**
 * A running collector: the store, the write queue, the ingest pipeline, the HTTP server and
 * the retention sweep, started and stopped together.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { IngestPipeline } from './ingest/pipeline';
import { WriteQueue } from './ingest/write-queue';
import { AccessPolicy, isLoopback } from './server/access';
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
  /** Runs the retention sweep now; resolves to rows removed. */
  sweep(): Promise<number>;
  close(): Promise<void>;
}

const SWEEP_EVERY_MS = 60_000;

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
  if (!loopback && (o.apiKey === undefined || o.apiKey === '')) {
    throw new CollectorStartError(`refusing to listen on ${o.host} without an API key: anyone who can reach it could read and write your telemetry; pass --api-key (or TRACEKIT_COLLECTOR_API_KEY), or bind 127.0.0.1`);
  }
  const store = await DuckDbStore.open(o.dbPath, { memoryLimit: o.memoryLimit });
  const queue = new WriteQueue(store, { maxPendingRows: o.maxPendingRows, maxRowsPerWrite: 20_000 });
  const pipeline = new IngestPipeline(queue);
  const started = Date.now();
  let lastSweep: { at: number; removed: number } | undefined;
  const sweep = async (): Promise<number> => {
    const removed = await store.sweep((Date.now() - o.retentionMs) * 1000);
    pipeline.forgetResources();
    lastSweep = { at: Date.now(), removed };
    return removed;
  };
  const server = createServer({ keepAliveTimeout: 65_000 }, createRouter({
    access: new AccessPolicy(loopback, o.apiKey),
    pipeline,
    limits: { maxBodyBytes: o.maxBodyBytes, retryAfterSeconds: 1 },
    api: {
      store,
      status: () => ({ startedMs: started, retentionMs: o.retentionMs, queueDepth: queue.depth, writes: queue.writes, failedWrites: queue.failedWrites, ingest: pipeline.counters, lastSweep }),
    },
    dashboard: createDashboard({ assetsDir: o.assetsDir, aiOrigins: o.aiOrigins }),
  }));
  let address: AddressInfo;
  try {
    address = await listen(server, o.host, o.port);
  } catch (err) {
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
    sweep,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await queue.idle();
      await store.close();
    },
  };
}
