/**
 * The rows the collector stores, in the store's own shape: the columns every dashboard query
 * filters or groups on are pulled out of the attributes at ingest, so no query has to parse
 * JSON. Times are epoch microseconds.
 */

export interface SpanRow {
  service: string;
  instance: string;
  traceId: string;
  spanId: string;
  parentId: string | null;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startUs: number;
  durationUs: number;
  /** 0 unset, 1 ok, 2 error. */
  status: number;
  statusMessage: string | null;
  /** http.route, or the span name for a server span without one. */
  route: string | null;
  method: string | null;
  httpStatus: number | null;
  /** host[:port] of an outgoing HTTP call. */
  peer: string | null;
  dbSystem: string | null;
  /** The request's query count, DB time, outgoing calls and N+1 template (tracekit's stats). */
  dbCount: number | null;
  dbMs: number | null;
  outCount: number | null;
  nPlusOne: string | null;
  /** Entry span of its service: a server or consumer span, or a span without a parent. */
  isEntry: boolean;
  /**
   * "METHOD route" of the request this span ran in, when its entry span came in the same
   * batch (set for outgoing calls and queries, which the graph and the Queries view group by route).
   */
  requestRoute: string | null;
  scope: string;
  attributes: string;
  events: string | null;
  links: string | null;
  /** A query span's statement (`db.query.text`, tracekit's agent sends it as a template) and rows returned. */
  dbStatement: string | null;
  dbRows: number | null;
}

export interface ErrorRow {
  fingerprint: string;
  service: string;
  timeUs: number;
  traceId: string;
  spanId: string;
  spanName: string;
  route: string | null;
  type: string;
  message: string;
  stack: string;
}

/** 0 gauge, 1 sum, 2 histogram, 3 exponential histogram, 4 summary. Sums and histograms are deltas. */
export interface MetricRow {
  service: string;
  instance: string;
  name: string;
  kind: number;
  startUs: number;
  timeUs: number;
  route: string | null;
  method: string | null;
  httpStatus: number | null;
  attributes: string;
  value: number | null;
  count: number | null;
  sum: number | null;
  min: number | null;
  max: number | null;
  bounds: number[] | null;
  counts: number[] | null;
}

/** One non-zero bucket of a histogram point (index into the point's bounds + overflow). */
export interface BucketRow {
  service: string;
  name: string;
  route: string | null;
  method: string | null;
  httpStatus: number | null;
  timeUs: number;
  bucket: number;
  count: number;
}

/**
 * Per-minute counts for the dependency graph, summed at ingest. Kind 0: outgoing HTTP calls
 * from `service` (made by requests to `route`, when known) to `host`. Kind 1: entry spans of
 * `service` with a remote parent (calls from another service; the graph joins those).
 */
export interface EdgeRow {
  kind: 0 | 1;
  service: string;
  route: string | null;
  host: string | null;
  minuteUs: number;
  calls: number;
  errors: number;
}

/** One stack frame of one stored exception (the code inventory is made from these). */
export interface FrameRow {
  service: string;
  /** The error group (fingerprint) of the exception. */
  fingerprint: string;
  timeUs: number;
  /** Relative to the app's root when inside it. */
  file: string;
  function: string;
  line: number;
  /** Inside a node_modules folder. */
  library: boolean;
}

export interface LogRow {
  service: string;
  instance: string;
  timeUs: number;
  severity: number;
  severityText: string;
  body: string;
  traceId: string | null;
  spanId: string | null;
  attributes: string;
}

/** One route of a service's route inventory (the agent's `tracekit.route` log records). */
export interface RouteRow {
  service: string;
  instance: string;
  /** The snapshot it came in: a snapshot replaces the service's rows from earlier ones. */
  snapshot: string;
  reportedUs: number;
  method: string;
  route: string;
  kind: string;
  function: string;
  file: string;
  line: number;
  column: number;
  /** The sender had more routes than it reported. */
  truncated: boolean;
}

/** One live-debugging snapshot (the agent's `tracekit.snapshot` log records). */
export interface SnapshotRow {
  /** Made by the collector: unique per stored snapshot. */
  id: string;
  service: string;
  instance: string;
  breakpointId: string;
  timeUs: number;
  traceId: string | null;
  spanId: string | null;
  label: string | null;
  file: string;
  line: number;
  function: string;
  /** The snapshot as JSON (variables, stack, request). */
  body: string;
}

export interface ResourceRow {
  service: string;
  instance: string;
  attributes: string;
  seenUs: number;
}

/** Everything one write (one or more ingest requests) adds; written in one transaction. */
export interface WriteBatch {
  spans: SpanRow[];
  errors: ErrorRow[];
  frames: FrameRow[];
  metrics: MetricRow[];
  buckets: BucketRow[];
  edges: EdgeRow[];
  logs: LogRow[];
  routes: RouteRow[];
  snapshots: SnapshotRow[];
  resources: ResourceRow[];
}

/** The number of rows in a batch (what backpressure counts). */
export function batchSize(b: WriteBatch): number {
  return b.spans.length + b.errors.length + b.frames.length + b.metrics.length + b.buckets.length + b.edges.length + b.logs.length + b.routes.length + b.snapshots.length + b.resources.length;
}
