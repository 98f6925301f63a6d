/**
 * The names the agent writes and the collector reads: tracekit's own span attributes and
 * metric names. Both sides import them from here, so a rename cannot leave one side behind.
 * (Standard names, such as `http.route`, are OpenTelemetry's semantic conventions.)
 */

/** Span attributes tracekit adds to a request's server span. */
export const REQUEST_ATTRIBUTES = {
  outgoingCount: 'tracekit.http.outgoing.count',
  outgoingDurationMs: 'tracekit.http.outgoing.duration_ms',
  dbCount: 'tracekit.db.count',
  dbDurationMs: 'tracekit.db.duration_ms',
  slowestTemplates: 'tracekit.db.slowest.templates',
  slowestMaxMs: 'tracekit.db.slowest.max_ms',
  slowestCounts: 'tracekit.db.slowest.counts',
  nPlusOne: 'tracekit.db.n_plus_one',
  nPlusOneTemplate: 'tracekit.db.n_plus_one.template',
  nPlusOneCount: 'tracekit.db.n_plus_one.count',
} as const;

/** Metrics the agent exports for every request, sampled or not, and the collector's views read. */
export const REQUEST_METRICS = {
  duration: 'http.server.request.duration',
  dbQueries: 'tracekit.request.db.queries',
  dbDuration: 'tracekit.request.db.duration',
  outgoingCalls: 'tracekit.request.outgoing.calls',
  outgoingDuration: 'tracekit.request.outgoing.duration',
  nPlusOne: 'tracekit.request.n_plus_one',
  /** The prefix every tracekit per-request sum shares. */
  workPrefix: 'tracekit.request.',
} as const;

/** Runtime metrics the overview reads. */
export const RUNTIME_METRICS = {
  activeRequests: 'http.server.active_requests',
  cpuUtilization: 'process.cpu.utilization',
  memoryUsage: 'process.memory.usage',
} as const;

/** Resource attributes tracekit adds to OpenTelemetry's. */
export const RESOURCE_ATTRIBUTES = {
  /** The app's root folder (nearest package.json above the entry script); stack files are shown relative to it. */
  appRoot: 'tracekit.app.root',
} as const;

/** The collector's npm package: the agent never starts inside its command. */
export const COLLECTOR_PACKAGE = 'tracekit-collector';

/**
 * The route inventory on the wire (docs/architecture.md, "The route inventory is OTLP logs"):
 * one log record per route, with this event name, all of one snapshot in one request. A
 * snapshot replaces the service's earlier one in the collector.
 */
export const ROUTE_INVENTORY = {
  eventName: 'tracekit.route',
  /** The same on every record of one snapshot; a new one per snapshot. */
  snapshot: 'tracekit.inventory.id',
  /** Records in the snapshot. */
  size: 'tracekit.inventory.size',
  /** True when the app has more routes than the agent reports. */
  truncated: 'tracekit.inventory.truncated',
  /** `route` or `middleware` (a `use()` at a path). */
  kind: 'tracekit.route.kind',
  method: 'http.request.method',
  route: 'http.route',
  function: 'code.function.name',
  file: 'code.file.path',
  line: 'code.line.number',
  column: 'code.column.number',
} as const;

/**
 * A live-debugging snapshot on the wire (docs/debugging.md): one log record with this event
 * name, its body the snapshot as JSON (variables, stack, request), its ids those of the span
 * that was running. The collector stores it as a snapshot, not as a log line.
 */
export const SNAPSHOT = {
  eventName: 'tracekit.snapshot',
  breakpoint: 'tracekit.breakpoint.id',
  label: 'tracekit.snapshot.label',
  function: 'code.function.name',
  file: 'code.file.path',
  line: 'code.line.number',
} as const;

/** The collector's endpoint agents use for live debugging (docs/debugging.md, "Agent protocol"). */
export const DEBUG_AGENT_PATH = '/api/debug/agent';
