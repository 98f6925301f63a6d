/**
 * The one interface between the collector and its storage engine. Ingest hands it whole
 * batches; the query API asks it the dashboard's questions. DuckDB implements it today
 * (`duckdb/duckdb-store.ts`); nothing outside `store/` knows that.
 */
import type { WriteBatch } from './rows';

/** What every query is about: one service or all, over (fromUs, toUs]. */
/**
 * A row the store cannot take (a value its column cannot hold). Writing the same rows again
 * would fail again, so the request that carried it is refused (400), not retried.
 */
export class UnfitRow extends Error {
  override name = 'UnfitRow';
}

export interface QueryScope {
  service: string | undefined;
  fromUs: number;
  toUs: number;
  /**
   * A "last N minutes" window: records stamped after `toUs` (an app whose clock runs a little
   * ahead of the collector's) still count. An explicit time range is closed.
   */
  openEnded?: boolean;
}

/** Where a view's numbers came from: the request metrics, or (for SDKs without them) the spans. */
export type Source = 'metrics' | 'spans';

export interface ServiceInfo { service: string; spans: number; lastSeenMs: number }

export interface Overview {
  source: Source;
  requests: number;
  errors: number;
  requestRate: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  inFlight: number | null;
  cpuUtilization: number | null;
  memoryBytes: number | null;
}

export interface SeriesPoint {
  timeMs: number;
  requestRate: number;
  errorRate: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

export interface Series { source: Source; stepMs: number; points: SeriesPoint[] }

/** One route's latency histogram (upper bounds in ms; the last bucket is open) and status codes. */
export interface RouteDistribution {
  source: Source;
  boundsMs: number[];
  counts: number[];
  statuses: { status: number | null; requests: number }[];
}

/** Runtime gauges per process over the scope: one value (or null) per step of `timesMs`. */
export interface RuntimeSeries {
  stepMs: number;
  /** The end of each step, epoch ms. */
  timesMs: number[];
  /** Every gauge name the view knows, in its order. */
  gauges: string[];
  processes: { service: string; instance: string; gauges: Record<string, (number | null)[]> }[];
}

export interface RouteStats {
  service: string;
  method: string | null;
  route: string;
  requests: number;
  rate: number;
  errors: number;
  errorPct: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  dbQueriesPerRequest: number | null;
  dbMsPerRequest: number | null;
  outgoingPerRequest: number | null;
  nPlusOneRequests: number;
  nPlusOneTemplate: string | null;
  totalMs: number;
  /** The latest request: the end of the latest metrics interval with one (metrics), or the latest span's end (spans). */
  lastHitMs: number | null;
}

/** What the Code views show of a route's traffic. */
export type RouteFigures = Pick<RouteStats, 'service' | 'method' | 'route' | 'requests' | 'rate' | 'errors' | 'p95Ms' | 'lastHitMs'>;

export interface ErrorGroup {
  fingerprint: string;
  service: string;
  type: string;
  message: string;
  count: number;
  firstSeenMs: number;
  lastSeenMs: number;
  routes: string[];
  stack: string;
  traceId: string;
  spanId: string;
  /** Occurrences per step of the scope, oldest first ({@link ERROR_SPARK_STEPS} steps). */
  sparkline: number[];
  /** First seen (ever, within retention) inside the scope. */
  isNew: boolean;
  /**
   * Seen before, then silent for longer than the scope (at least an hour), then back in it.
   * `previousSeenMs` is the last occurrence before the scope.
   */
  regressed: boolean;
  previousSeenMs: number | null;
  /** The latest occurrences (up to {@link ERROR_SAMPLES}), newest first. */
  samples: { traceId: string; spanId: string; timeMs: number; route: string | null }[];
}

/** Steps in an error group's sparkline, and samples kept per group. */
export const ERROR_SPARK_STEPS = 24;
export const ERROR_SAMPLES = 5;

/** A code-inventory request: the scope, a file prefix, whether to list library frames, the order. */
export interface CodeQuery extends QueryScope {
  filePrefix: string | undefined;
  library: boolean;
  sort: 'occurrences' | 'lastSeen';
  limit: number;
}

/** One function that appeared in stored exceptions' stacks (identity: service, file, function). */
export interface CodeEntry {
  service: string;
  file: string;
  function: string;
  /** Its line in the latest stack that held it. */
  line: number;
  library: boolean;
  /** Exceptions in the window whose stack held it. */
  occurrences: number;
  /** First seen ever (within retention), last seen in the window. */
  firstSeenMs: number;
  lastSeenMs: number;
  /** The error groups (fingerprints) it appeared in, within the window. */
  groups: string[];
}

/** A route the app declared (the agent's route inventory), as stored. */
export interface DeclaredRoute {
  service: string;
  /** `GET`..., `ALL`, or `USE` for middleware mounted at a path. */
  method: string;
  route: string;
  kind: 'route' | 'middleware';
  function: string;
  /** The declaring file, relative to the app's root when inside it; line and column 0 when unknown. */
  file: string;
  line: number;
  column: number;
  reportedMs: number;
  /** Its snapshot was cut at the limit: the service declares more routes than are stored. */
  truncated: boolean;
}

export interface OutgoingHost {
  service: string;
  host: string;
  calls: number;
  errors: number;
  errorPct: number;
  p50Ms: number | null;
  p95Ms: number | null;
  maxMs: number | null;
}

/** `route` is "METHOD route" of the requests that made the calls. */
export interface RouteHostEdge { service: string; route: string; host: string; calls: number; errorPct: number }
export interface ServiceEdge { from: string; to: string; calls: number; errorPct: number }
export interface Graph { routeToHost: RouteHostEdge[]; serviceToService: ServiceEdge[] }

/** The Queries view's request: the scope, optionally one request route ("GET /orders/:id"), a page size. */
export interface QueriesQuery extends QueryScope {
  requestRoute: string | undefined;
  limit: number;
}

/** One statement template's figures over the scope. */
export interface QueryStats {
  service: string;
  /** `db.system.name` (postgresql, mysql, ...). */
  system: string | null;
  statement: string;
  calls: number;
  errors: number;
  totalMs: number;
  avgMs: number;
  p95Ms: number | null;
  maxMs: number;
  /** Rows returned per call, over the calls that reported a count; null when none did. */
  rowsPerCall: number | null;
  /** "METHOD route" of the requests that ran it. */
  routes: string[];
  /** Some request in the scope ran it as its N+1 loop. */
  nPlusOne: boolean;
  /** The slowest call: its trace and span. */
  exampleTraceId: string;
  exampleSpanId: string;
}

export interface TraceQuery extends QueryScope {
  route: string | undefined;
  /** With `route`: only requests with this method. */
  method?: string;
  /** Newest first (the default), or slowest first. */
  order?: 'recent' | 'slowest';
  /** 'error', 'ok', an HTTP status (`404`) or class (`5xx`). */
  status: string | undefined;
  minDurationMs: number | undefined;
  maxDurationMs?: number;
  traceId: string | undefined;
  /** Trace search: every filter must hold on some span of the trace (not necessarily the same one). */
  attributes?: AttributeFilter[];
  /** Trace search: some span's name contains this (case-insensitive). */
  spanName?: string;
  limit: number;
}

/** `key=value` (equal, as text), `key~text` (contains, case-insensitive) or `key` (present). */
export interface AttributeFilter { key: string; op: 'eq' | 'contains' | 'exists'; value: string }

/** One trace found by the trace search: its root request, and the trace as a whole. */
export interface TraceRow extends TraceSummary {
  /** Services with spans in the trace, sorted. */
  services: string[];
  spanCount: number;
  /** Failed spans anywhere in the trace (`error` is true when there are any). */
  errorSpans: number;
}

export interface TraceSummary {
  traceId: string;
  spanId: string;
  service: string;
  name: string;
  route: string | null;
  method: string | null;
  httpStatus: number | null;
  error: boolean;
  startMs: number;
  durationMs: number;
}

export interface SpanDetail {
  traceId: string;
  spanId: string;
  parentId: string | null;
  service: string;
  instance: string;
  name: string;
  kind: number;
  startMs: number;
  durationMs: number;
  status: number;
  statusMessage: string | null;
  scope: string;
  attributes: Record<string, unknown>;
  events: unknown[];
  links: unknown[];
}

/** A log record as the API answers it. */
export interface LogEntry {
  timeMs: number;
  service: string;
  instance: string;
  /** OTLP severity number (1-24; 0 unspecified) and the sender's text for it. */
  severity: number;
  severityText: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
  attributes: Record<string, unknown>;
}

/** Log search: the scope, a lowest severity, text (body or attributes contain it), a trace or span, a page size. */
export interface LogQuery extends QueryScope {
  minSeverity: number | undefined;
  text: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  limit: number;
}

/**
 * A page of log records. A text search reads the window newest first, a slice at a time, and
 * stops once the page is full or its time budget is spent: then `complete` is false and
 * `searchedFromMs` says how far back it read (the next page starts there).
 */
export interface LogPage {
  logs: LogEntry[];
  complete: boolean;
  searchedFromMs: number;
}

/** A trace's spans, and the log records written inside it. */
export interface TraceDetail { traceId: string; spans: SpanDetail[]; logs: LogEntry[] }

/** A stored live-debugging snapshot, without its body. */
export interface SnapshotSummary {
  id: string;
  service: string;
  instance: string;
  breakpointId: string;
  timeMs: number;
  traceId: string | null;
  spanId: string | null;
  label: string | null;
  file: string;
  line: number;
  function: string;
}

/** A snapshot with its body (variables, stack, request: debug/snapshot-record.ts SnapshotBody). */
export interface SnapshotDetail extends SnapshotSummary {
  body: unknown;
}

export interface SnapshotQuery {
  service: string | undefined;
  breakpointId: string | undefined;
  traceId: string | undefined;
  spanId: string | undefined;
  limit: number;
}

export interface StoreCounts { spans: number; errors: number; metricPoints: number; logs: number; memoryLimit: string }

export interface Store {
  /** Writes a batch atomically. */
  write(batch: WriteBatch): Promise<void>;
  /** Deletes everything older than `cutoffUs`; returns the rows removed. */
  sweep(cutoffUs: number): Promise<number>;
  counts(): Promise<StoreCounts>;
  services(scope: QueryScope): Promise<ServiceInfo[]>;
  overview(scope: QueryScope): Promise<Overview>;
  series(scope: QueryScope, stepUs: number): Promise<Series>;
  routes(scope: QueryScope): Promise<RouteStats[]>;
  /** One route's latency histogram and status codes; `route` null for the requests no route matched. */
  routeDistribution(scope: QueryScope, method: string | null, route: string | null): Promise<RouteDistribution>;
  /** Each process's runtime gauges over the scope, in steps of `stepUs`. */
  runtime(scope: QueryScope, stepUs: number): Promise<RuntimeSeries>;
  /** Requests, errors, p95 and last request per route: the part of `routes` the Code views use, cheaper. */
  routeFigures(scope: QueryScope): Promise<RouteFigures[]>;
  /** Error groups, optionally only those raised in requests of one route template. */
  errors(scope: QueryScope, route?: string): Promise<ErrorGroup[]>;
  /** The code inventory: functions seen in exceptions' stacks. */
  codeInventory(q: CodeQuery): Promise<CodeEntry[]>;
  /** The latest route inventory of a service (or of all), narrowed to a folder or file (relative path) when given. */
  declaredRoutes(service: string | undefined, folder: string | undefined): Promise<DeclaredRoute[]>;
  /** Outgoing calls per host, optionally only those made by requests of one route ("GET /orders/:id"). */
  outgoing(scope: QueryScope, requestRoute?: string): Promise<OutgoingHost[]>;
  /** Query spans grouped by statement template, by total time. */
  queries(q: QueriesQuery): Promise<QueryStats[]>;
  graph(scope: QueryScope): Promise<Graph>;
  /** Outgoing hosts that are services reporting here (a call to the host reached that service's server span). */
  hostServices(scope: QueryScope): Promise<{ host: string; service: string }[]>;
  /** Requests (entry spans) matching the query. */
  searchTraces(q: TraceQuery): Promise<TraceSummary[]>;
  /** Traces with a request matching the query, and spans matching its attribute and name filters: one row per trace. */
  findTraces(q: TraceQuery): Promise<TraceRow[]>;
  trace(traceId: string): Promise<TraceDetail | undefined>;
  /** Log records matching the filters, newest first. */
  searchLogs(q: LogQuery): Promise<LogPage>;
  /** Live-debugging snapshots matching the filters, newest first. */
  snapshots(q: SnapshotQuery): Promise<SnapshotSummary[]>;
  snapshot(id: string): Promise<SnapshotDetail | undefined>;
  close(): Promise<void>;
}
