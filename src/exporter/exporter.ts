/**
 * The main-thread side of export (docs/agent.md, "Export"). Each ended span is encoded at once into
 * the current batch (`otlp/trace-batch.ts`); the buffer is those encoded bytes, bounded by
 * span count and by bytes, and when it is full a span is dropped and counted, never queued.
 * A batch is sealed when it holds a full batch or the schedule delay passes, and goes to the
 * exporter worker (worker-host.ts) as one transferred ArrayBuffer (no copy, no structured clone); the worker
 * compresses and sends it. At most two batches are in flight, so a slow or dead receiver
 * backs up into the bounded buffer and from there into the drop counter.
 *
 * `flushSync` is for the last moments of a process (uncaught exception, signal, exit): it
 * hands the rest to the worker and blocks on Atomics.wait until the worker has sent it or the
 * deadline passes. Nothing else on the main thread ever blocks.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { join } from 'node:path';
import type { AgentConfig } from '../agent/config';
import { log } from '../shared/logger';
import { newTraceBatch, type TraceBatch } from '../otlp/trace-batch';
import type { LogRecord, MetricRecord, Resource, SpanRecord } from '../otlp/types';
import { NO_AGENT_ENV } from '../symbols';
import { WorkerHost } from './worker-host';
import { FLAG_ACCEPTED, FLAG_COUNT, FLAG_FLUSHED, FLAG_READY, METER_SCOPE, type EncodedLogsTask, type ExportResult, type ExportTask, type FlushMessage, type FlushWiring, type TracesTask } from './tasks';
import { newLogBatch, type LogBatch } from '../otlp/log-batch';
import { PayloadBuffers } from './payload-buffers';

const MAX_INFLIGHT_BATCHES = 2;
/** A batch is sealed at this many encoded bytes even before it has the configured span count. */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Log records are sent when this many wait, or at the schedule delay. */
const LOG_BATCH = 512;
/** About this many encoded bytes of log records may wait in the buffer. */
const MAX_LOG_BYTES = 8 * 1024 * 1024;

/** Counters readable through `tracekit.stats()`. */
export interface ExportStats {
  spansQueued: number;
  spansExported: number;
  spansDropped: number;
  spansFailed: number;
  batchesSent: number;
  batchesFailed: number;
  metricExports: number;
  metricExportsFailed: number;
  /** Log-record exports (the route inventory) that the receiver accepted, and that failed. */
  logExports: number;
  logExportsFailed: number;
  /** Captured log records: buffered, accepted by the receiver, dropped at a full buffer, lost to a failed export. */
  logsQueued: number;
  logsExported: number;
  logsDropped: number;
  logsFailed: number;
  lastError: string | undefined;
}

/** A sealed batch waiting for the worker. */
interface ReadyBatch {
  payload: Uint8Array;
  json: boolean;
  spans: number;
  /** Encoded span bytes it holds, as counted against maxQueueBytes. */
  bytes: number;
}

export class Exporter {
  readonly stats: ExportStats = {
    spansQueued: 0, spansExported: 0, spansDropped: 0, spansFailed: 0, batchesSent: 0, batchesFailed: 0,
    metricExports: 0, metricExportsFailed: 0, logExports: 0, logExportsFailed: 0, logsQueued: 0, logsExported: 0, logsDropped: 0, logsFailed: 0, lastError: undefined,
  };
  private batch: TraceBatch;
  private ready: ReadyBatch[] = [];
  /** Spans and encoded bytes in the current batch plus the sealed ones not yet handed over. */
  private queuedSpans = 0;
  private queuedBytes = 0;
  private inflight = 0;
  private pending = new Set<Promise<unknown>>();
  private worker: WorkerHost | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly flags = new Int32Array(new SharedArrayBuffer(4 * FLAG_COUNT));
  private readonly channelName = `tracekit-final-flush-${process.pid}-${randomUUID()}`;
  private channel: BroadcastChannel | undefined;
  private closed = false;
  private dropWarningPending = false;
  /** Captured log records not yet handed to the worker, encoded as they came. */
  private logBatch: LogBatch;
  private logsInflight = 0;
  /** Buffers the worker gave back, for the next sealed batches (payload-buffers.ts). */
  private readonly buffers = new PayloadBuffers();
  private readonly spare = (bytes: number): ArrayBuffer | undefined => this.buffers.take(bytes);

  constructor(
    private config: AgentConfig,
    private resource: Resource,
  ) {
    this.batch = newTraceBatch(config.target.protocol === 'http/json');
    this.logBatch = newLogBatch(config.target.protocol === 'http/json');
  }

  /**
   * Starts the schedule timer. The worker thread starts later, when there is first something
   * to send (docs/agent.md, "The exporter worker"): booting it beside the app's own start-up
   * on one core added about 120 ms before the app listened.
   */
  start(): void {
    this.channel = new BroadcastChannel(this.channelName);
    this.channel.unref();
    this.timer = setInterval(() => this.flushBuffer(false), this.config.scheduleDelayMs);
    this.timer.unref();
  }

  /** The worker, started on first use; undefined (after one warning) if it cannot be created. */
  private ensureWorker(): WorkerHost | undefined {
    if (this.worker !== undefined || this.closed || this.channel === undefined) return this.worker;
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS') env[k] = v;
    env[NO_AGENT_ENV] = '1';
    const worker = new WorkerHost(join(__dirname, 'worker.js'), {
      env,
      workerData: { tracekitFlush: { flags: this.flags.buffer as SharedArrayBuffer, channel: this.channelName } satisfies FlushWiring },
      onFailure: (reason) => log.once('warn', 'exporter-worker-error', reason),
      onBuffer: (buffer) => this.buffers.give(buffer),
    });
    try {
      worker.start();
    } catch (err) {
      // Called from span.end() and timers: never throw. Exports then fail and are counted.
      log.once('warn', 'exporter-worker-start', `could not start the exporter worker (${String(err)}); spans and metrics are not exported`);
      this.channel.close();
      this.channel = undefined;
      return undefined;
    }
    this.worker = worker;
    return worker;
  }

  /** Applies new settings (from `tracekit.init`) to later exports. */
  reconfigure(config: AgentConfig, resource: Resource): void {
    const json = config.target.protocol === 'http/json';
    if (json !== this.batch.json) {
      // Spans already encoded keep their format; the sealed batch says which it is.
      this.seal();
      this.batch = newTraceBatch(json);
      this.sendLogs();
      if (this.logBatch.records === 0) this.logBatch = newLogBatch(json);
    }
    this.config = config;
    this.resource = resource;
  }

  private run(task: ExportTask, transfer?: ArrayBuffer): Promise<ExportResult | undefined> {
    const worker = this.ensureWorker();
    if (worker === undefined) return Promise.resolve(undefined);
    return worker.run(task, transfer);
  }

  /** Called for every ended recording span: encodes it into the current batch, or drops it. */
  add(span: SpanRecord): void {
    if (this.closed || this.queuedSpans >= this.config.maxQueueSpans || this.queuedBytes >= this.config.maxQueueBytes) {
      this.stats.spansDropped++;
      if (!this.closed && this.stats.spansDropped === 1) {
        // Say why if known; else wait for the next export's outcome to say it.
        if (this.stats.lastError !== undefined) this.warnDropping();
        else this.dropWarningPending = true;
      }
      return;
    }
    const bytes = this.batch.add(span);
    if (bytes < 0) {
      this.stats.spansDropped++;
      log.once('warn', 'span-encode-failed', `a span named ${JSON.stringify(String(span.name).slice(0, 80))} could not be encoded and was dropped (further drops are counted in tracekit.stats())`);
      return;
    }
    this.queuedSpans++;
    this.queuedBytes += bytes;
    this.stats.spansQueued++;
    if (this.batch.spans >= this.config.maxBatchSpans || this.batch.bytes >= MAX_BATCH_BYTES) {
      // This runs inside span.end(), which may be the app's own call: never let it throw.
      try {
        this.seal();
        this.sendReady(false);
      } catch (err) {
        this.stats.lastError = String(err);
        log.once('warn', 'batch-seal-failed', `could not hand a batch of spans to the exporter worker: ${String(err)}`);
      }
    }
  }

  /** Says once that spans are being dropped, and why as far as known (a receiver that refuses or does not answer). */
  private warnDropping(): void {
    const why = this.stats.lastError === undefined ? 'the receiver is not keeping up' : `the last export failed: ${this.stats.lastError}`;
    log.once('warn', 'spans-dropped', `the span buffer is full and spans are being dropped (${why}; exporting to ${this.config.target.tracesUrl}). Drops are counted in tracekit.stats().`);
  }

  /** Closes the current batch into a payload waiting to be sent. */
  private seal(): void {
    const batch = this.batch;
    if (batch.spans === 0) return;
    const payload = batch.seal(this.resource, this.spare);
    this.ready.push({ payload, json: batch.json, spans: batch.spans, bytes: batch.bytes });
    batch.reset();
  }

  /** Seals the buffered log records into one export and empties the buffer. */
  private takeLogs(): EncodedLogsTask {
    const batch = this.logBatch;
    const task: EncodedLogsTask = { kind: 'encodedLogs', target: this.config.target, payload: batch.seal(this.resource, METER_SCOPE, this.spare), json: batch.json, records: batch.records };
    batch.reset();
    return task;
  }

  /** Takes every waiting batch off the queue (for the final flush). */
  private takeAll(): ReadyBatch[] {
    this.seal();
    const all = this.ready;
    this.ready = [];
    this.queuedSpans = 0;
    this.queuedBytes = 0;
    return all;
  }

  /** Hands sealed batches to the worker; with `all`, ignores the in-flight limit. */
  private sendReady(all: boolean): void {
    while (this.ready.length > 0 && (all || this.inflight < MAX_INFLIGHT_BATCHES)) {
      const b = this.ready.shift() as ReadyBatch;
      this.queuedSpans -= b.spans;
      this.queuedBytes -= b.bytes;
      this.inflight++;
      const task: TracesTask = { kind: 'traces', target: this.config.target, payload: b.payload, json: b.json, spans: b.spans };
      const p = this.run(task, b.payload.buffer as ArrayBuffer)
        .then(
          (r) => this.onTracesResult(b.spans, r),
          (err: unknown) => this.onTracesResult(b.spans, { ok: false, status: 0, attempts: 0, rejected: 0, error: String(err) }),
        )
        .finally(() => {
          this.inflight--;
          this.pending.delete(p);
        });
      this.pending.add(p);
    }
  }

  /** Seals the current batch and sends what the in-flight limit allows (or everything), and the buffered logs. */
  private flushBuffer(all: boolean): void {
    this.seal();
    this.sendReady(all);
    this.sendLogs();
  }

  private onTracesResult(count: number, r: ExportResult | undefined): void {
    if (r?.ok) {
      this.stats.batchesSent++;
      this.stats.spansExported += count - r.rejected;
      this.stats.spansFailed += r.rejected;
    } else {
      this.stats.batchesFailed++;
      this.stats.spansFailed += count;
      this.stats.lastError = r?.error;
      log.once('warn', `export-failed:${r?.status}`, `could not export spans to ${this.config.target.tracesUrl}: ${r?.error ?? 'unknown error'} (further failures are counted in tracekit.stats())`);
    }
    if (this.dropWarningPending) {
      this.dropWarningPending = false;
      this.warnDropping();
    }
    log.debug(`export stats ${JSON.stringify(this.stats)}`);
  }

  /** Sends one collection of metrics. */
  exportMetrics(metrics: MetricRecord[]): void {
    if (metrics.length === 0 || this.channel === undefined || this.closed) return;
    const p = this.run({ kind: 'metrics', target: this.config.target, resource: this.resource, metrics })
      .then((r) => {
        if (r?.ok) this.stats.metricExports++;
        else {
          this.stats.metricExportsFailed++;
          this.stats.lastError = r?.error;
        }
      }, () => this.stats.metricExportsFailed++)
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /**
   * Buffers one captured log record. Bounded by count (maxQueueLogs) and by about 8 MiB of
   * text; a record beyond either is dropped and counted, never queued.
   */
  addLog(record: LogRecord): void {
    const batch = this.logBatch;
    if (this.closed || batch.records >= this.config.maxQueueLogs || batch.bytes >= MAX_LOG_BYTES) {
      this.stats.logsDropped++;
      if (!this.closed) log.once('warn', 'logs-dropped', `the log buffer is full and log records are being dropped (exporting to ${this.config.target.logsUrl}). Drops are counted in tracekit.stats().`);
      return;
    }
    if (batch.add(record) < 0) {
      this.stats.logsDropped++;
      return;
    }
    this.stats.logsQueued++;
    if (batch.records >= LOG_BATCH) this.sendLogs();
  }

  /** Hands the buffered log records to the worker as one export (at most two in flight). */
  private sendLogs(): void {
    if (this.logBatch.records === 0 || this.logsInflight >= MAX_INFLIGHT_BATCHES || this.channel === undefined) return;
    const task = this.takeLogs();
    const count = task.records;
    this.logsInflight++;
    const p = this.run(task, task.payload.buffer as ArrayBuffer)
      .then(
        (r) => {
          if (r?.ok) this.stats.logsExported += count - r.rejected;
          else {
            this.stats.logsFailed += count;
            this.stats.lastError = r?.error;
            log.once('warn', `log-export-failed:${r?.status}`, `could not export log records to ${this.config.target.logsUrl}: ${r?.error ?? 'unknown error'}`);
          }
        },
        () => (this.stats.logsFailed += count),
      )
      .finally(() => {
        this.logsInflight--;
        this.pending.delete(p);
      });
    this.pending.add(p);
  }

  /** Sends log records in one request (the route inventory: one snapshot must arrive whole). */
  exportLogs(records: LogRecord[]): void {
    if (records.length === 0 || this.channel === undefined || this.closed) return;
    const p = this.run({ kind: 'logs', target: this.config.target, resource: this.resource, records })
      .then((r) => {
        if (r?.ok) this.stats.logExports++;
        else {
          this.stats.logExportsFailed++;
          this.stats.lastError = r?.error;
          log.once('warn', `log-export-failed:${r?.status}`, `could not export log records to ${this.config.target.logsUrl}: ${r?.error ?? 'unknown error'}`);
        }
      }, () => this.stats.logExportsFailed++)
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Sends everything buffered and waits for all exports in flight (bounded by the flush timeout). */
  async flush(): Promise<void> {
    this.flushBuffer(true);
    const all = Promise.allSettled([...this.pending]);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.config.flushTimeoutMs);
      timer.unref();
    });
    await Promise.race([all, timeout]);
    clearTimeout(timer);
  }

  /**
   * Blocks the main thread until the buffered spans and `metrics` have been sent by the worker,
   * or the deadline passes. For process exit paths only. Returns true when the worker confirmed.
   */
  flushSync(metrics: MetricRecord[], deadlineMs = this.config.flushTimeoutMs): boolean {
    // A process ending before its first export starts the worker here; it boots on its own thread.
    if (this.ensureWorker() === undefined || this.channel === undefined) return false;
    const started = Date.now();
    // A process that dies right after start may get here before the worker thread has booted;
    // it boots on its own, without this (blocked) thread, so waiting for it is safe.
    if (Atomics.load(this.flags, FLAG_READY) !== 1) Atomics.wait(this.flags, FLAG_READY, 0, deadlineMs);
    if (Atomics.load(this.flags, FLAG_READY) !== 1) {
      log.debug(`final flush skipped: the exporter worker did not start in time (${this.queuedSpans} spans buffered)`);
      return false;
    }
    deadlineMs = Math.max(1, deadlineMs - (Date.now() - started));
    const batches = this.takeAll();
    let spans = 0;
    for (const b of batches) spans += b.spans;
    const message: FlushMessage = {
      traces: batches.map((b): TracesTask => ({ kind: 'traces', target: this.config.target, payload: b.payload, json: b.json, spans: b.spans })),
      metrics: metrics.length > 0 ? { kind: 'metrics', target: this.config.target, resource: this.resource, metrics } : undefined,
      logs: this.logBatch.records > 0 ? this.takeLogs() : undefined,
      deadlineMs,
    };
    Atomics.store(this.flags, FLAG_FLUSHED, 0);
    Atomics.store(this.flags, FLAG_ACCEPTED, 0);
    // BroadcastChannel clones (it cannot transfer); this happens once, at exit.
    this.channel.postMessage(message);
    const result = Atomics.wait(this.flags, FLAG_FLUSHED, 0, deadlineMs + 100);
    // Logs have no acceptance flag of their own: the flush finishing in time is what counts.
    const logCount = message.logs?.records ?? 0;
    if (result === 'timed-out') this.stats.logsFailed += logCount;
    else this.stats.logsExported += logCount;
    if (result === 'timed-out') {
      log.warn(`final flush did not finish within ${deadlineMs} ms; ${spans} spans may be lost`);
      this.stats.spansFailed += spans;
      return false;
    }
    // Only what the receiver accepted counts as exported.
    const accepted = Math.min(spans, Atomics.load(this.flags, FLAG_ACCEPTED));
    this.stats.spansExported += accepted;
    this.stats.spansFailed += spans - accepted;
    if (accepted < spans) {
      // One line per process: if exports were already failing, that was said (at warn) before.
      const level = this.stats.batchesFailed > 0 ? 'debug' : 'warn';
      log.once(level, 'final-flush-failed', `the final flush could not deliver ${spans - accepted} of ${spans} spans to ${this.config.target.tracesUrl}`);
    }
    return true;
  }

  /** Stops the timer and the worker after a flush. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.channel?.close();
    await this.worker?.destroy();
    this.worker = undefined;
  }

  /** Buffered log records (the final flush has work when there are any). */
  get bufferedLogs(): number {
    return this.logBatch.records;
  }

  /** Buffered span count (for tests and stats). */
  get buffered(): number {
    return this.queuedSpans;
  }
}
