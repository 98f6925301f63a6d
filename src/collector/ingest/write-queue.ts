/**
 * Group commit with a bound. Each accepted request's rows wait here until the next write
 * takes them; one write carries every request that arrived while the previous one ran, so a
 * busy collector writes large batches and an idle one writes at once. A request is answered
 * only after its rows are committed, so "accepted" means stored. When the rows waiting
 * exceed the bound, new requests are refused (the server answers 503 with Retry-After)
 * rather than queued without limit.
 */
import { batchSize, type WriteBatch } from '../store/rows';
import type { Store } from '../store/store';

interface Pending {
  batch: WriteBatch;
  rows: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface WriteQueueOptions {
  /** Rows allowed to wait; beyond this, submit refuses. */
  maxPendingRows: number;
  /** Rows per write at most, so one write never holds the event loop for long. */
  maxRowsPerWrite: number;
}

export class WriteQueue {
  private pending: Pending[] = [];
  private pendingRows = 0;
  private writing = false;
  writes = 0;
  failedWrites = 0;

  constructor(private readonly store: Store, private readonly options: WriteQueueOptions) {}

  /** Rows waiting to be written. */
  get depth(): number {
    return this.pendingRows;
  }

  /** Queues a batch; resolves once it is committed. Returns undefined when the queue is full. */
  submit(batch: WriteBatch): Promise<void> | undefined {
    const rows = batchSize(batch);
    if (rows === 0) return Promise.resolve();
    if (this.pendingRows > 0 && this.pendingRows + rows > this.options.maxPendingRows) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, rows, resolve, reject });
      this.pendingRows += rows;
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Resolves when everything queued so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.writing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group: Pending[] = [];
      let rows = 0;
      while (this.pending.length > 0 && (group.length === 0 || rows + this.pending[0].rows <= this.options.maxRowsPerWrite)) {
        const p = this.pending.shift() as Pending;
        group.push(p);
        rows += p.rows;
      }
      const merged: WriteBatch = { spans: [], errors: [], metrics: [], buckets: [], edges: [], logs: [], resources: [] };
      for (const p of group) {
        for (const k of ['spans', 'errors', 'metrics', 'buckets', 'edges', 'logs', 'resources'] as const) {
          const src = p.batch[k] as unknown[];
          const dst = merged[k] as unknown[];
          for (let i = 0; i < src.length; i++) dst.push(src[i]);
        }
      }
      try {
        await this.store.write(merged);
        this.writes++;
        for (const p of group) p.resolve();
      } catch (err) {
        this.failedWrites++;
        for (const p of group) p.reject(err);
      } finally {
        this.pendingRows -= rows;
      }
    }
    this.writing = false;
  }
}
