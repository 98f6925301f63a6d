/** The DuckDB implementation of {@link Store}: one file, batched appends, SQL queries. */
import type { WriteBatch } from '../rows';
import type { CodeEntry, CodeQuery, DeclaredRoute, ErrorGroup, LogPage, LogQuery, SnapshotDetail, SnapshotQuery, SnapshotSummary, Graph, OutgoingHost, Overview, QueriesQuery, QueryStats, RouteDistribution, RuntimeSeries, QueryScope, RouteFigures, RouteStats, Series, ServiceInfo, Store, StoreCounts, TraceDetail, TraceQuery, TraceRow, TraceSummary } from '../store';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDb, readRows, type OpenedDb } from './connection';
import { codeInventory } from './code-queries';
import { declaredRoutes } from './route-queries';
import { graph, hostServices, outgoing, services } from './dependency-queries';
import { errors } from './error-queries';
import { overview, routeDistribution, routeFigures, routes, series } from './request-queries';
import { findTraces, searchTraces, trace } from './trace-queries';
import { LOG_SEARCH_BUDGET_MS, searchLogs } from './log-queries';
import { BatchWriter } from './writer';
import { queryStats } from './query-stats';
import { runtimeSeries } from './runtime-queries';
import { capSnapshots, snapshot, snapshots } from './snapshot-queries';

export interface DuckDbOptions {
  /** DuckDB's memory_limit, e.g. '1GB'. */
  memoryLimit: string;
  /** How long a log text or trace search may read before answering a partial page (default 40 ms). */
  logSearchBudgetMs?: number;
}

const RETAINED: [table: string, timeColumn: string][] = [
  ['spans', 'start_us'], ['errors', 'time_us'], ['error_frames', 'time_us'], ['metric_points', 'time_us'], ['histogram_buckets', 'time_us'], ['call_edges', 'minute_us'], ['logs', 'time_us'], ['snapshots', 'time_us'], ['resources', 'seen_us'],
];

/** A query or write asked of a store that is closing or closed. */
export class StoreClosedError extends Error {
  override name = 'StoreClosedError';
  constructor() {
    super('the store is closed');
  }
}

export class DuckDbStore implements Store {
  private readonly writer: BatchWriter;
  private closed = false;
  /** Operations started and not yet settled; close() waits for them. */
  private readonly inflight = new Set<Promise<unknown>>();

  private constructor(
    private readonly db: OpenedDb,
    private readonly logSearchBudgetMs: number,
  ) {
    this.writer = new BatchWriter(db.writer);
  }

  /** Opens the file (creating and migrating it); throws StoreOpenError with a one-line reason. */
  static async open(path: string, options: DuckDbOptions): Promise<DuckDbStore> {
    return new DuckDbStore(await openDb(path, options.memoryLimit), options.logSearchBudgetMs ?? LOG_SEARCH_BUDGET_MS);
  }

  write(batch: WriteBatch): Promise<void> {
    return this.track(() => this.writer.write(batch));
  }

  sweep(cutoffUs: number): Promise<number> {
    return this.track(async () => {
      let removed = 0;
      for (const [table, column] of RETAINED) {
        // A stop interrupts the running delete; the tables after it wait for the next start.
        if (this.closed) break;
        const result = await this.db.sweeper.run(`DELETE FROM ${table} WHERE ${column} < ?`, [BigInt(Math.trunc(cutoffUs))]);
        removed += result.rowsChanged;
      }
      return this.closed ? removed : removed + (await capSnapshots(this.db.sweeper));
    });
  }

  counts(): Promise<StoreCounts> {
    return this.read(async (reader) => {
      const [r] = await readRows(reader, `SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM errors) AS errors,
        (SELECT count(*) FROM metric_points) AS metric_points, (SELECT count(*) FROM logs) AS logs, current_setting('memory_limit') AS memory_limit`);
      return { spans: Number(r.spans), errors: Number(r.errors), metricPoints: Number(r.metric_points), logs: Number(r.logs), memoryLimit: String(r.memory_limit) };
    });
  }

  services(scope: QueryScope): Promise<ServiceInfo[]> { return this.read((r) => services(r, scope)); }
  overview(scope: QueryScope): Promise<Overview> { return this.read((r) => overview(r, scope)); }
  series(scope: QueryScope, stepUs: number): Promise<Series> { return this.read((r) => series(r, scope, stepUs)); }
  routes(scope: QueryScope): Promise<RouteStats[]> { return this.read((r) => routes(r, scope)); }
  runtime(scope: QueryScope, stepUs: number): Promise<RuntimeSeries> { return this.read((r) => runtimeSeries(r, scope, stepUs)); }
  routeDistribution(scope: QueryScope, method: string | null, route: string | null): Promise<RouteDistribution> { return this.read((r) => routeDistribution(r, scope, method, route)); }
  routeFigures(scope: QueryScope): Promise<RouteFigures[]> { return this.read((r) => routeFigures(r, scope)); }
  errors(scope: QueryScope, route?: string): Promise<ErrorGroup[]> { return this.read((r) => errors(r, scope, route)); }
  codeInventory(q: CodeQuery): Promise<CodeEntry[]> { return this.read((r) => codeInventory(r, q)); }
  declaredRoutes(service: string | undefined, folder: string | undefined): Promise<DeclaredRoute[]> { return this.read((r) => declaredRoutes(r, service, folder)); }
  outgoing(scope: QueryScope, requestRoute?: string): Promise<OutgoingHost[]> { return this.read((r) => outgoing(r, scope, requestRoute)); }
  queries(q: QueriesQuery): Promise<QueryStats[]> { return this.read((r) => queryStats(r, q)); }
  graph(scope: QueryScope): Promise<Graph> { return this.read((r) => graph(r, scope)); }
  hostServices(scope: QueryScope): Promise<{ host: string; service: string }[]> { return this.read((r) => hostServices(r, scope)); }
  searchTraces(q: TraceQuery): Promise<TraceSummary[]> { return this.read((r) => searchTraces(r, q)); }
  findTraces(q: TraceQuery): Promise<TraceRow[]> { return this.read((r) => findTraces(r, q)); }
  trace(traceId: string): Promise<TraceDetail | undefined> { return this.read((r) => trace(r, traceId)); }
  searchLogs(q: LogQuery): Promise<LogPage> { return this.read((r) => searchLogs(r, q, this.logSearchBudgetMs)); }
  snapshots(q: SnapshotQuery): Promise<SnapshotSummary[]> { return this.read((r) => snapshots(r, q)); }
  snapshot(id: string): Promise<SnapshotDetail | undefined> { return this.read((r) => snapshot(r, id)); }

  /**
   * Closes the file. Queries still running are interrupted and awaited first: a DuckDB
   * connection closed under a running query deadlocks the thread that runs it, and with it
   * the process's exit (docs/collector.md, "Stopping").
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.reader.interrupt();
    this.db.sweeper.interrupt();
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    this.writer.close();
    let checkpointError: unknown;
    await this.db.writer.run('CHECKPOINT').catch((err: unknown) => (checkpointError = err));
    this.db.reader.closeSync();
    this.db.sweeper.closeSync();
    this.db.writer.closeSync();
    this.db.instance.closeSync();
    if (checkpointError !== undefined) {
      // Committed data is safe in the write-ahead log, which DuckDB replays on the next open.
      throw new Error(`the final checkpoint failed (${String((checkpointError as Error).message ?? checkpointError).split('\n')[0]}); committed data stays in the write-ahead log and is replayed on the next start`);
    }
  }

  /** Runs a query on the reader connection, tracked so that close() can wait for it. */
  private read<T>(query: (reader: DuckDBConnection) => Promise<T>): Promise<T> {
    return this.track(() => query(this.db.reader));
  }

  /** Runs `op` unless the store is closed, and keeps its promise until it settles. */
  private track<T>(op: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreClosedError());
    const running = op();
    this.inflight.add(running);
    const forget = (): void => void this.inflight.delete(running);
    running.then(forget, forget);
    return running;
  }
}
