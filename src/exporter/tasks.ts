/** The messages between the exporter (main thread) and its worker. Plain data only. */
import type { ExportTarget } from './target';
import type { LogRecord, MetricRecord, Resource } from '../otlp/types';

export const METER_SCOPE = { name: 'tracekit' } as const;

/** A sealed batch of spans: an ExportTraceServiceRequest already encoded on the main thread. */
export interface TracesTask {
  kind: 'traces';
  target: ExportTarget;
  payload: Uint8Array;
  /** OTLP/JSON rather than protobuf (the format it was encoded in, whatever the target says now). */
  json: boolean;
  /** Spans in the payload (for counting what the receiver accepted). */
  spans: number;
}

export interface MetricsTask {
  kind: 'metrics';
  target: ExportTarget;
  resource: Resource;
  metrics: MetricRecord[];
}

/** Log records given as objects (the route inventory), encoded in the worker. */
export interface LogsTask {
  kind: 'logs';
  target: ExportTarget;
  resource: Resource;
  records: LogRecord[];
}

/** Captured log records, already encoded on the main thread as they were logged (otlp/log-batch.ts). */
export interface EncodedLogsTask {
  kind: 'encodedLogs';
  target: ExportTarget;
  payload: Uint8Array;
  json: boolean;
  records: number;
}

export type ExportTask = TracesTask | MetricsTask | LogsTask | EncodedLogsTask;

/**
 * What the worker gets at start-up (`workerData`) for the synchronous final flush.
 * It does not depend on the main thread's event loop, which is blocked while it is used.
 */
export interface FlushWiring {
  /** Int32 flags: FLAG_READY (worker listening), FLAG_FLUSHED (final flush done), FLAG_ACCEPTED (spans the final flush got accepted). */
  flags: SharedArrayBuffer;
  /** Name of the BroadcastChannel the final flush is posted on (unique per exporter). */
  channel: string;
}

/** The final flush: sent after every in-flight export settles. */
export interface FlushMessage {
  traces: TracesTask[];
  metrics: MetricsTask | undefined;
  logs: EncodedLogsTask | undefined;
  deadlineMs: number;
}

export interface ExportResult {
  ok: boolean;
  /** HTTP status of the last attempt, 0 for a network error. */
  status: number;
  attempts: number;
  /** Items the receiver reported as rejected in a partial-success response. */
  rejected: number;
  error?: string;
}

/** Indexes in the shared Int32Array of flags. */
export const FLAG_READY = 0;
export const FLAG_FLUSHED = 1;
export const FLAG_ACCEPTED = 2;
/** Int32 slots in the flags buffer. */
export const FLAG_COUNT = 4;
