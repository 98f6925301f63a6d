/**
 * A captured value as a snapshot carries it (docs/debugging.md, "Snapshots"): a small tree
 * bounded by the capture limits, the same whether it came from `captureSnapshot` (a value in
 * this thread) or from a breakpoint (a value the inspector describes).
 */

/** The capture limits (docs/debugging.md, "Limits"). */
export const LIMITS = {
  /** Levels of nesting below a variable. */
  depth: 3,
  /** Properties listed per object. */
  fields: 20,
  /** Items listed per array, map or set. */
  items: 100,
  /** Characters kept of a string. */
  chars: 255,
  /**
   * About this many bytes of JSON per snapshot's variables; what would go past it is left out
   * and marked. The estimate runs a little low, so it aims under 64 KB (snapshot-record.ts
   * enforces the hard cap on the whole body).
   */
  bytes: 48 * 1024,
  /** Stack frames per snapshot. */
  frames: 20,
} as const;

/**
 * One value. `type` is the JavaScript type, or one of: `array`, `map`, `set`, `getter` (an
 * accessor, never run), `redacted`, `circular`, `summary` (a request, response or socket,
 * described rather than walked), `cut` (past the depth limit or the snapshot's size).
 */
export interface ValueNode {
  type: string;
  /** The scalar, or a short description (`[Function: handler]`, `Date 2026-...`). */
  value?: string | number | boolean | null;
  /** The constructor's name, for objects. */
  className?: string;
  /** Named children, in order: properties, or `[index]` items, or `key => value` entries. */
  entries?: [string, ValueNode][];
  /** Properties, items or characters left out by the limits. */
  omitted?: number;
  /** Items in an array, map or set; characters in a cut string. */
  size?: number;
}

/** Classes that are described, never walked: their graphs are large and full of sockets. */
export const SUMMARISED_CLASSES = new Set([
  'IncomingMessage', 'ServerResponse', 'ClientRequest', 'Socket', 'TLSSocket', 'Server', 'Agent',
  'Http2ServerRequest', 'Http2ServerResponse', 'Http2Session', 'Http2Stream', 'Pool', 'Client', 'Connection', 'PoolConnection',
  'Request', 'Response', 'EventEmitter',
]);

/** Tracks the snapshot's size and what was cut, for one capture. */
export class CaptureBudget {
  bytes = 0;
  readonly cut = new Set<string>();

  constructor(private readonly maxBytes: number = LIMITS.bytes) {}

  /** Adds `n` bytes; false (and marks the cut) once the snapshot is full. */
  take(n: number): boolean {
    if (this.bytes + n > this.maxBytes) {
      this.cut.add(`size: over ${Math.round(this.maxBytes / 1024)} KB`);
      return false;
    }
    this.bytes += n;
    return true;
  }

  get full(): boolean {
    return this.bytes >= this.maxBytes;
  }
}

/** A string cut to the character limit, as a node. */
export function stringNode(s: string, budget: CaptureBudget): ValueNode {
  if (s.length <= LIMITS.chars) {
    budget.take(s.length + 24);
    return { type: 'string', value: s };
  }
  budget.take(LIMITS.chars + 40);
  return { type: 'string', value: s.slice(0, LIMITS.chars), size: s.length, omitted: s.length - LIMITS.chars };
}
