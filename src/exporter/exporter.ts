/**
 * The main-thread side of export (DESIGN decision 8). Ended spans go into a buffer bounded by
 * count and by estimated bytes; when it is full a span is dropped and counted, never queued.
 * A batch leaves when the buffer holds a full batch or the schedule delay passes, as one
 * structured-clone message to the piscina worker; at most two batches are in flight, so a slow
 * or dead receiver backs up into the bounded buffer and from there into the drop counter.
 *
 * `flushSync` is for the last moments of a process (uncaught exception, signal, exit): it
 * hands the rest to the worker and blocks on Atomics.wait until the worker has sent it or the
 * deadline passes. Nothing else on the main thread ever blocks.
 */
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { AgentConfig } from '../agent/config';
import { log } from '../agent/logger';
import type { MetricRecord, Resource, SpanRecord } from '../otlp/types';
import { NO_AGENT_ENV } from '../symbols';
import { FLAG_FLUSHED, FLAG_READY, type ExportResult, type ExportTask, type FlushMessage, type FlushWiring, type TracesTask } from './tasks';

const MAX_INFLIGHT_BATCHES = 2;

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
  lastError: string | undefined;
}

interface SizedSpan extends SpanRecord {
  size?: number;
}

export class Exporter {
  readonly stats: ExportStats = {
    spansQueued: 0, spansExported: 0, spansDropped: 0, spansFailed: 0, batchesSent: 0, batchesFailed: 0,
    metricExports: 0, metricExportsFailed: 0, lastError: undefined,
  };
  private buffer: SizedSpan[] = [];
  private bufferBytes = 0;
  private inflight = 0;
  private pending = new Set<Promise<unknown>>();
  private pool: Piscina | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly flags = new Int32Array(new SharedArrayBuffer(8));
  private readonly channelName = `tracekit-final-flush-${process.pid}-${randomUUID()}`;
  private channel: BroadcastChannel | undefined;
  private closed = false;

  constructor(
    private config: AgentConfig,
    private resource: Resource,
  ) {}

  /** Starts the worker and the schedule timer. Throws if the worker cannot be created. */
  start(): void {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_OPTIONS') env[k] = v;
    env[NO_AGENT_ENV] = '1';
    this.pool = new Piscina({
      filename: join(__dirname, 'worker.js'),
      minThreads: 1,
      maxThreads: 1,
      concurrentTasksPerWorker: 8,
      idleTimeout: Infinity,
      atomics: 'disabled',
      execArgv: [],
      env,
      // Big batches go to the worker, not back: keep piscina's own queue small and bounded.
      maxQueue: 64,
      workerData: { tracekitFlush: { flags: this.flags.buffer as SharedArrayBuffer, channel: this.channelName } satisfies FlushWiring },
    });
    this.pool.on('error', (err: unknown) => log.once('warn', 'exporter-worker-error', `exporter worker error: ${String(err)}`));
    this.channel = new BroadcastChannel(this.channelName);
    this.channel.unref();
    this.timer = setInterval(() => this.flushBuffer(false), this.config.scheduleDelayMs);
    this.timer.unref();
  }

  /** Applies new settings (from `tracekit.init`) to later exports. */
  reconfigure(config: AgentConfig, resource: Resource): void {
    this.config = config;
    this.resource = resource;
  }

  private run(task: ExportTask): Promise<ExportResult | undefined> {
    if (this.pool === undefined) return Promise.resolve(undefined);
    return this.pool.run(task) as Promise<ExportResult | undefined>;
  }

  /** Called for every ended recording span. O(1); drops when the buffer is full. */
  add(span: SizedSpan): void {
    const size = span.size ?? 256;
    if (this.closed || this.buffer.length >= this.config.maxQueueSpans || this.bufferBytes + size > this.config.maxQueueBytes) {
      this.stats.spansDropped++;
      return;
    }
    this.buffer.push(span);
    this.bufferBytes += size;
    this.stats.spansQueued++;
    if (this.buffer.length >= this.config.maxBatchSpans && this.inflight < MAX_INFLIGHT_BATCHES) this.flushBuffer(false);
  }

  private takeBatch(max: number): SizedSpan[] {
    const batch = this.buffer.length <= max ? this.buffer : this.buffer.slice(0, max);
    this.buffer = this.buffer.length <= max ? [] : this.buffer.slice(max);
    for (const s of batch) this.bufferBytes -= s.size ?? 256;
    if (this.buffer.length === 0) this.bufferBytes = 0;
    return batch;
  }

  /** Sends buffered spans in batches; with `all`, ignores the in-flight limit. */
  private flushBuffer(all: boolean): void {
    while (this.buffer.length > 0 && (all || this.inflight < MAX_INFLIGHT_BATCHES)) {
      const spans = this.takeBatch(this.config.maxBatchSpans);
      this.inflight++;
      const p = this.run({ kind: 'traces', target: this.config.target, resource: this.resource, spans })
        .then(
          (r) => this.onTracesResult(spans.length, r),
          (err: unknown) => this.onTracesResult(spans.length, { ok: false, status: 0, attempts: 0, rejected: 0, error: String(err) }),
        )
        .finally(() => {
          this.inflight--;
          this.pending.delete(p);
        });
      this.pending.add(p);
    }
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
    log.debug(`export stats ${JSON.stringify(this.stats)}`);
  }

  /** Sends one collection of metrics. */
  exportMetrics(metrics: MetricRecord[]): void {
    if (metrics.length === 0 || this.pool === undefined || this.closed) return;
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
    if (this.pool === undefined || this.channel === undefined) return false;
    const started = Date.now();
    // A process that dies right after start may get here before the worker thread has booted;
    // it boots on its own, without this (blocked) thread, so waiting for it is safe.
    if (Atomics.load(this.flags, FLAG_READY) !== 1) Atomics.wait(this.flags, FLAG_READY, 0, deadlineMs);
    if (Atomics.load(this.flags, FLAG_READY) !== 1) {
      log.debug(`final flush skipped: the exporter worker did not start in time (${this.buffer.length} spans buffered)`);
      return false;
    }
    deadlineMs = Math.max(1, deadlineMs - (Date.now() - started));
    const spans = this.takeBatch(Number.MAX_SAFE_INTEGER);
    const traces: TracesTask | undefined = spans.length > 0 ? { kind: 'traces', target: this.config.target, resource: this.resource, spans } : undefined;
    const message: FlushMessage = {
      traces,
      metrics: metrics.length > 0 ? { kind: 'metrics', target: this.config.target, resource: this.resource, metrics } : undefined,
      deadlineMs,
    };
    Atomics.store(this.flags, FLAG_FLUSHED, 0);
    this.channel.postMessage(message);
    const result = Atomics.wait(this.flags, FLAG_FLUSHED, 0, deadlineMs + 100);
    if (result === 'timed-out') {
      log.warn(`final flush did not finish within ${deadlineMs} ms; ${spans.length} spans may be lost`);
      this.stats.spansFailed += spans.length;
      return false;
    }
    this.stats.spansExported += spans.length;
    return true;
  }

  /** Stops the timer and the worker after a flush. */
  async shutdown(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.channel?.close();
    await this.pool?.destroy();
    this.pool = undefined;
  }

  /** Buffered span count (for tests and stats). */
  get buffered(): number {
    return this.buffer.length;
  }
}
