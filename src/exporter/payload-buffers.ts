/**
 * The few ArrayBuffers that sealed batches are written into, passed to the exporter worker
 * and handed back by it once sent (docs/agent.md, "Payload buffers").
 *
 * A fresh buffer per batch (hundreds of KB) cost more than the encoding it carried: fresh
 * pages fault in on the main thread, and in the worker each transferred buffer counts as
 * external memory that only a full mark-compact gives back, so the worker ran one per batch
 * (about 20 ms of CPU each, measured with `--trace-gc` under load). Reusing the same buffers
 * allocates nothing per batch on either side.
 */

/** Buffers kept at most: two batches in flight, one being sealed. */
const MAX_KEPT = 3;

export class PayloadBuffers {
  private readonly kept: ArrayBuffer[] = [];

  /** A kept buffer of at least `bytes`, or undefined (the caller allocates). Smaller kept buffers are let go. */
  take(bytes: number): ArrayBuffer | undefined {
    while (this.kept.length > 0) {
      const buffer = this.kept.pop() as ArrayBuffer;
      if (buffer.byteLength >= bytes) return buffer;
    }
    return undefined;
  }

  /** Keeps a buffer the worker gave back, unless enough are kept already. */
  give(buffer: ArrayBuffer): void {
    if (this.kept.length < MAX_KEPT && buffer.byteLength > 0) this.kept.push(buffer);
  }

  /** How many are kept (for tests). */
  get size(): number {
    return this.kept.length;
  }
}
