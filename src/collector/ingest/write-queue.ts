/**
 * Group commit with a bound. Each accepted request's rows wait here until the next write
 * takes them; one write carries every request that arrived while the previous one ran, so a
 * busy collector writes large batches and an idle one writes at once. A request is answered
 * only after its rows are committed, so "accepted" means stored. When the rows waiting
 * exceed the bound, new requests are refused (the server answers 503 with Retry-After)
 * rather than queued without limit; one request larger than the whole bound is refused for
 * good (413), since waiting would never make room for it.
 *
 * A write that fails is retried request by request, so a record the store cannot take costs
 * only the request that carried it, never the other clients' requests written beside it.
 */
import { batchSize, type WriteBatch } from '../store/rows';
import { UnfitRow, type Store } from '../store/store';

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

/** What {@link WriteQueue.submit} made of a batch. */
export type Submitted =
  | { status: 'queued'; done: Promise<void> }
  | { status: 'busy' }
  | { status: 'too-large'; rows: number; limit: number };

/** The last write failure, for /api/status. */
export interface WriteFailure {
  atMs: number;
  reason: string;
}

/**
 * True for errors that come from the data itself (a value the store's column cannot take):
 * writing the same request again would fail again, so it is refused rather than retried.
 */
export function isDataError(err: unknown): boolean {
  return err instanceof UnfitRow || /^(Conversion|Out of Range|Invalid Input|Constraint) Error/.test(String((err as Error)?.message ?? err));
}

/** The kind of a store error ("IO Error", "Conversion Error", ...): the part before its colon. */
function kindOf(err: unknown): string {
  if (err instanceof UnfitRow) return err.name;
  const message = String((err as Error)?.message ?? err);
  return /^([A-Za-z ]+Error):/.exec(message)?.[1] ?? 'Error';
}

export class WriteQueue {
  private pending: Pending[] = [];
  private pendingRows = 0;
  private writing = false;
  writes = 0;
  failedWrites = 0;
  lastFailure: WriteFailure | undefined;
  private readonly reported = new Set<string>();

  constructor(
    private readonly store: Store,
    private readonly options: WriteQueueOptions,
    private readonly warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {}

  /** Rows waiting to be written. */
  get depth(): number {
    return this.pendingRows;
  }

  /** Queues a batch; `done` resolves once it is committed. */
  submit(batch: WriteBatch): Submitted {
    const rows = batchSize(batch);
    if (rows === 0) return { status: 'queued', done: Promise.resolve() };
    if (rows > this.options.maxPendingRows) return { status: 'too-large', rows, limit: this.options.maxPendingRows };
    if (this.pendingRows > 0 && this.pendingRows + rows > this.options.maxPendingRows) return { status: 'busy' };
    const done = new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, rows, resolve, reject });
      this.pendingRows += rows;
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain().catch((err: unknown) => this.failed(err)));
      }
    });
    return { status: 'queued', done };
  }

  /** Resolves when everything queued so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.writing || this.pending.length > 0) await new Promise((r) => setTimeout(r, 5));
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const group: Pending[] = [];
        let rows = 0;
        while (this.pending.length > 0 && (group.length === 0 || rows + this.pending[0].rows <= this.options.maxRowsPerWrite)) {
          const p = this.pending.shift() as Pending;
          group.push(p);
          rows += p.rows;
        }
        try {
          await this.writeGroup(group);
        } finally {
          this.pendingRows -= rows;
        }
      }
    } finally {
      // Even if something throws past writeGroup, the queue must not stay "writing": idle()
      // would then wait forever (a stop that never ends) and no later batch would be written.
      this.writing = false;
    }
  }

  /** Writes a group in one transaction; if that fails, each of its requests on its own. */
  private async writeGroup(group: Pending[]): Promise<void> {
    try {
      await this.store.write(group.length === 1 ? group[0].batch : merge(group));
      this.writes++;
      for (const p of group) p.resolve();
      return;
    } catch (err) {
      if (group.length === 1) {
        this.failed(err);
        group[0].reject(err);
        return;
      }
    }
    for (const p of group) {
      try {
        await this.store.write(p.batch);
        this.writes++;
        p.resolve();
      } catch (err) {
        this.failed(err);
        p.reject(err);
      }
    }
  }

  /** Counts a failed write, keeps its reason, and says it once per kind on stderr. */
  private failed(err: unknown): void {
    this.failedWrites++;
    const reason = String((err as Error)?.message ?? err).split('\n')[0].slice(0, 500);
    this.lastFailure = { atMs: Date.now(), reason };
    const kind = kindOf(err);
    if (this.reported.has(kind)) return;
    this.reported.add(kind);
    this.warn(`tracekit collector: a write to the store failed (${reason})${isDataError(err) ? '; that request was refused with 400' : '; its senders were told to retry (503)'}. Later failures of this kind are counted in /api/status.`);
  }
}

function merge(group: Pending[]): WriteBatch {
  const merged: WriteBatch = { spans: [], errors: [], frames: [], metrics: [], buckets: [], edges: [], logs: [], routes: [], snapshots: [], resources: [] };
  for (const p of group) {
    for (const k of Object.keys(merged) as (keyof WriteBatch)[]) {
      const src = p.batch[k] as unknown[];
      const dst = merged[k] as unknown[];
      for (let i = 0; i < src.length; i++) dst.push(src[i]);
    }
  }
  return merged;
}
