/**
 * The exporter worker (one thread, run by worker-host.ts): compresses and sends the span batches the main
 * thread encoded as spans ended, and encodes and sends metrics, so no network I/O, retry or
 * compression runs on the app's main thread. It is started with `execArgv: []` and without NODE_OPTIONS,
 * so the preload never loads here and its own HTTP traffic is never traced.
 *
 * Besides tasks it listens on a BroadcastChannel for the final flush, which the main
 * thread posts and then blocks on (Atomics.wait) when the process is about to die: the
 * worker waits for the exports already in flight, sends the last batch, and wakes it. The
 * channel is opened when this module loads, as the thread boots, so it
 * is ready even if the app crashes before the main loop ever turned.
 */
import { BroadcastChannel, parentPort, workerData } from 'node:worker_threads';
import { encodeLogsJson, encodeMetricsJson } from '../otlp/encode-json';
import { encodeLogsProto, encodeMetricsProto } from '../otlp/encode-proto';
import { send, setFinalFlush } from './send';
import type { TaskAnswer } from './worker-host';
import { FLAG_ACCEPTED, FLAG_FLUSHED, FLAG_READY, METER_SCOPE, type ExportResult, type ExportTask, type FlushMessage, type EncodedLogsTask, type FlushWiring, type LogsTask, type MetricsTask, type TracesTask } from './tasks';

const inflight = new Set<Promise<ExportResult>>();

function exportTraces(task: TracesTask): Promise<ExportResult> {
  const payload = Buffer.from(task.payload.buffer, task.payload.byteOffset, task.payload.byteLength);
  return send(task.target, task.target.tracesUrl, payload, task.json);
}

function exportMetrics(task: MetricsTask): Promise<ExportResult> {
  const json = task.target.protocol === 'http/json';
  const payload = json ? encodeMetricsJson(task.resource, METER_SCOPE, task.metrics) : encodeMetricsProto(task.resource, METER_SCOPE, task.metrics);
  return send(task.target, task.target.metricsUrl, payload, json);
}

function exportLogs(task: LogsTask): Promise<ExportResult> {
  const json = task.target.protocol === 'http/json';
  const payload = json ? encodeLogsJson(task.resource, METER_SCOPE, task.records) : encodeLogsProto(task.resource, METER_SCOPE, task.records);
  return send(task.target, task.target.logsUrl, payload, json);
}

function exportEncodedLogs(task: EncodedLogsTask): Promise<ExportResult> {
  const payload = Buffer.from(task.payload.buffer, task.payload.byteOffset, task.payload.byteLength);
  return send(task.target, task.target.logsUrl, payload, task.json);
}

function track(p: Promise<ExportResult>): Promise<ExportResult> {
  inflight.add(p);
  void p.finally(() => inflight.delete(p));
  return p;
}

async function finalFlush(message: FlushMessage, flags: Int32Array): Promise<void> {
  let accepted = 0;
  try {
    setFinalFlush(true);
    const deadline = Date.now() + message.deadlineMs;
    const last: Promise<unknown>[] = [...inflight];
    for (const traces of message.traces) {
      const sent = exportTraces({ ...traces, target: { ...traces.target, timeoutMs: Math.max(1, deadline - Date.now()) } });
      // Only what the receiver took counts as exported (a partial success names what it refused).
      last.push(sent.then((r) => {
        if (r.ok) accepted += Math.max(0, traces.spans - r.rejected);
      }));
    }
    if (message.logs !== undefined) last.push(exportEncodedLogs({ ...message.logs, target: { ...message.logs.target, timeoutMs: Math.max(1, deadline - Date.now()) } }));
    if (message.metrics !== undefined) last.push(exportMetrics({ ...message.metrics, target: { ...message.metrics.target, timeoutMs: Math.max(1, deadline - Date.now()) } }));
    // Exports that were already in flight may be waiting on a receiver that never answers:
    // the main thread is blocked until this wakes it, so never wait past the deadline.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(last), new Promise((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))))]);
    clearTimeout(timer);
  } finally {
    setFinalFlush(false);
    Atomics.store(flags, FLAG_ACCEPTED, accepted);
    Atomics.store(flags, FLAG_FLUSHED, 1);
    Atomics.notify(flags, FLAG_FLUSHED);
  }
}

const wiring = (workerData as { tracekitFlush?: FlushWiring } | undefined)?.tracekitFlush;
if (wiring !== undefined) {
  const flags = new Int32Array(wiring.flags);
  const channel = new BroadcastChannel(wiring.channel);
  channel.onmessage = (event) => void finalFlush((event as { data: FlushMessage }).data, flags);
  Atomics.store(flags, FLAG_READY, 1);
  Atomics.notify(flags, FLAG_READY);
}

/** Runs one task. Never throws: failures come back as results. */
async function run(task: ExportTask): Promise<ExportResult> {
  try {
    const sent = task.kind === 'traces' ? exportTraces(task) : task.kind === 'metrics' ? exportMetrics(task) : task.kind === 'logs' ? exportLogs(task) : exportEncodedLogs(task);
    return await track(sent);
  } catch (err) {
    return { ok: false, status: 0, attempts: 0, rejected: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

/**
 * The payload's buffer, to give back to the main thread once the receiver has answered
 * (payload-buffers.ts). Only after a 2xx: the receiver then read the whole body, so nothing
 * of this thread still writes from it. A buffer shared with other memory is never handed back,
 * nor an OTLP/JSON one (JSON batches are not written into kept buffers).
 */
function returnable(task: ExportTask, result: ExportResult): ArrayBuffer | undefined {
  if (!result.ok || (task.kind !== 'traces' && task.kind !== 'encodedLogs') || task.json) return undefined;
  const buffer = task.payload.buffer;
  return buffer instanceof ArrayBuffer && buffer.byteLength > 0 ? buffer : undefined;
}

parentPort?.on('message', (message: { id: number; task: ExportTask }) => {
  void run(message.task).then((result) => {
    const buffer = returnable(message.task, result);
    parentPort?.postMessage({ id: message.id, result, buffer } satisfies TaskAnswer, buffer === undefined ? [] : [buffer]);
  });
});
