/**
 * The exporter's worker thread, run by hand rather than through a thread pool: one thread,
 * tasks posted with an id and answered by id (docs/agent.md, "The exporter worker").
 *
 * The thread is unref'd for its whole life, so an export in flight never keeps a process
 * alive whose own work is done: the process reaches `beforeExit`, where the final flush
 * sends what is left within TRACEKIT_FLUSH_TIMEOUT. (A pool refs its thread while a task
 * runs; with a collector that accepted connections and never answered, that held a short
 * script open for minutes, one export timeout after another.)
 */
import { Worker } from 'node:worker_threads';
import type { ExportResult, ExportTask } from './tasks';

/** Tasks waiting for an answer at most; beyond that a task fails at once (the buffer behind it drops and counts). */
const MAX_WAITING = 64;
/** Times a worker that died is replaced before export gives up for this process. */
const MAX_RESTARTS = 3;

/** What the worker answers for one task. */
export interface TaskAnswer {
  id: number;
  result: ExportResult;
  /** The task's payload buffer, transferred back once sent, for the next batch to reuse. */
  buffer?: ArrayBuffer;
}

export interface WorkerHostOptions {
  env: Record<string, string>;
  workerData: unknown;
  /** Called with a reason when the worker fails or cannot be started (for a one-time warning). */
  onFailure(reason: string): void;
  /** Called with each payload buffer the worker hands back. */
  onBuffer?(buffer: ArrayBuffer): void;
}

function failure(error: string): ExportResult {
  return { ok: false, status: 0, attempts: 0, rejected: 0, error };
}

export class WorkerHost {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, (result: ExportResult) => void>();
  private restarts = 0;
  private closed = false;

  constructor(private readonly filename: string, private readonly options: WorkerHostOptions) {}

  /** Starts the thread (throws if it cannot be created). */
  start(): void {
    const worker = new Worker(this.filename, {
      // The preload must never run in its own exporter (it would trace its own exports).
      execArgv: [],
      env: this.options.env,
      workerData: this.options.workerData,
    });
    worker.on('message', (answer: TaskAnswer) => {
      if (answer.buffer !== undefined) this.options.onBuffer?.(answer.buffer);
      const resolve = this.waiting.get(answer.id);
      if (resolve === undefined) return;
      this.waiting.delete(answer.id);
      resolve(answer.result);
    });
    worker.on('error', (err) => this.options.onFailure(`exporter worker error: ${String(err)}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const resolve of this.waiting.values()) resolve(failure(`exporter worker exited (code ${code})`));
      this.waiting.clear();
    });
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
  }

  /** Runs a task on the worker; never rejects (a failure is a result). */
  run(task: ExportTask, transfer?: ArrayBuffer): Promise<ExportResult> {
    if (this.closed) return Promise.resolve(failure('exporter is shut down'));
    if (this.worker === undefined) {
      if (this.restarts >= MAX_RESTARTS) return Promise.resolve(failure('exporter worker is gone'));
      this.restarts++;
      try {
        this.start();
      } catch (err) {
        this.options.onFailure(`could not restart the exporter worker: ${String(err)}`);
        return Promise.resolve(failure(String(err)));
      }
    }
    if (this.waiting.size >= MAX_WAITING) return Promise.resolve(failure('exporter worker is busy'));
    const id = this.nextId++;
    return new Promise<ExportResult>((resolve) => {
      this.waiting.set(id, resolve);
      try {
        (this.worker as Worker).postMessage({ id, task }, transfer === undefined ? [] : [transfer]);
      } catch (err) {
        this.waiting.delete(id);
        resolve(failure(String(err)));
      }
    });
  }

  /** Stops the thread; tasks still waiting resolve as failed. */
  async destroy(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    for (const resolve of this.waiting.values()) resolve(failure('exporter is shut down'));
    this.waiting.clear();
    if (worker !== undefined) await worker.terminate();
  }
}
