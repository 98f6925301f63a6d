/** The DuckDB implementation of {@link Store}: one file, batched appends, SQL queries. */
import type { WriteBatch } from '../rows';
import type { CodeEntry, CodeQuery, DeclaredRoute, ErrorGroup, LogPage, LogQuery, SnapshotDetail, SnapshotQuery, SnapshotSummary, Graph, OutgoingHost, Overview, QueriesQuery, QueryStats, RouteDistribution, RuntimeSeries, QueryScope, RouteFigures, RouteStats, Series, ServiceInfo, Store, StoreCounts, TraceDetail, TraceQuery, TraceRow, TraceSummary } from '../store';
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

export class DuckDbStore implements Store {
  private readonly writer: BatchWriter;
  private closed = false;

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
    return this.writer.write(batch);
  }

  async sweep(cutoffUs: number): Promise<number> {
    let removed = 0;
    for (const [table, column] of RETAINED) {
      const result = await this.db.sweeper.run(`DELETE FROM ${table} WHERE ${column} < ?`, [BigInt(Math.trunc(cutoffUs))]);
      removed += result.rowsChanged;
    }
    return removed + (await capSnapshots(this.db.sweeper));
  }

  async counts(): Promise<StoreCounts> {
    const [r] = await readRows(this.db.reader, `SELECT (SELECT count(*) FROM spans) AS spans, (SELECT count(*) FROM errors) AS errors,
      (SELECT count(*) FROM metric_points) AS metric_points, (SELECT count(*) FROM logs) AS logs, current_setting('memory_limit') AS memory_limit`);
    return { spans: Number(r.spans), errors: Number(r.errors), metricPoints: Number(r.metric_points), logs: Number(r.logs), memoryLimit: String(r.memory_limit) };
  }

  services(scope: QueryScope): Promise<ServiceInfo[]> { return services(this.db.reader, scope); }
  overview(scope: QueryScope): Promise<Overview> { return overview(this.db.reader, scope); }
  series(scope: QueryScope, stepUs: number): Promise<Series> { return series(this.db.reader, scope, stepUs); }
  routes(scope: QueryScope): Promise<RouteStats[]> { return routes(this.db.reader, scope); }
  runtime(scope: QueryScope, stepUs: number): Promise<RuntimeSeries> { return runtimeSeries(this.db.reader, scope, stepUs); }
  routeDistribution(scope: QueryScope, method: string | null, route: string | null): Promise<RouteDistribution> { return routeDistribution(this.db.reader, scope, method, route); }
  routeFigures(scope: QueryScope): Promise<RouteFigures[]> { return routeFigures(this.db.reader, scope); }
  errors(scope: QueryScope, route?: string): Promise<ErrorGroup[]> { return errors(this.db.reader, scope, route); }
  codeInventory(q: CodeQuery): Promise<CodeEntry[]> { return codeInventory(this.db.reader, q); }
  declaredRoutes(service: string | undefined, folder: string | undefined): Promise<DeclaredRoute[]> { return declaredRoutes(this.db.reader, service, folder); }
  outgoing(scope: QueryScope, requestRoute?: string): Promise<OutgoingHost[]> { return outgoing(this.db.reader, scope, requestRoute); }
  queries(q: QueriesQuery): Promise<QueryStats[]> { return queryStats(this.db.reader, q); }
  graph(scope: QueryScope): Promise<Graph> { return graph(this.db.reader, scope); }
  hostServices(scope: QueryScope): Promise<{ host: string; service: string }[]> { return hostServices(this.db.reader, scope); }
  searchTraces(q: TraceQuery): Promise<TraceSummary[]> { return searchTraces(this.db.reader, q); }
  findTraces(q: TraceQuery): Promise<TraceRow[]> { return findTraces(this.db.reader, q); }
  trace(traceId: string): Promise<TraceDetail | undefined> { return trace(this.db.reader, traceId); }
  searchLogs(q: LogQuery): Promise<LogPage> { return searchLogs(this.db.reader, q, this.logSearchBudgetMs); }
  snapshots(q: SnapshotQuery): Promise<SnapshotSummary[]> { return snapshots(this.db.reader, q); }
  snapshot(id: string): Promise<SnapshotDetail | undefined> { return snapshot(this.db.reader, id); }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
}
