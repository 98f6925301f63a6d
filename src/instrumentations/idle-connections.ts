/**
 * A keep-alive connection must not hold the context of the request it served last
 * (docs/agent.md, "Idle connections"). When a response finishes, Node re-arms the connection's
 * keep-alive timer, and the timer keeps the context it was armed in: the request's, with its
 * spans and state, for as long as the connection stays idle. Under load every idle connection's
 * last request then survives each young-generation GC, and on Node 24 V8 answers by growing the
 * young generation (measured on hello world, Node 24: about 65 KB surviving each scavenge instead
 * of 6, and a 64 MB semi-space instead of 16 after a minute of load).
 *
 * So when a response finishes, tracekit's context is taken off the timer of the connection whose
 * response finished before it: by then Node has re-armed that timer. No microtask or tick is
 * scheduled for it (one per request cost about 4% of hello world's throughput); the last
 * connection waits for the next response, so at most one request is held that way.
 */
import type { ContextCalls, Switch } from './kit';

/** The socket property holding its timeout timer: undefined until looked for, null if there is none. */
let timerKey: symbol | null | undefined;

/** The timeout timer Node keeps on a socket (an internal property, found by its description), if any. */
function timerOf(socket: object): object | undefined {
  if (timerKey === undefined) timerKey = Object.getOwnPropertySymbols(socket).find((s) => s.description === 'timeout') ?? null;
  if (timerKey === null) return undefined;
  const timer: unknown = Reflect.get(socket, timerKey);
  return typeof timer === 'object' && timer !== null ? timer : undefined;
}

/** Takes tracekit's context off the timers of connections whose response has finished. */
export class IdleConnections {
  /** The socket of the response that finished last; its timer is re-armed once its finish is over. */
  private last: object | undefined = undefined;

  /** `isIdle`: whether a socket has no request running (a running request's timers keep its context). */
  constructor(
    private readonly contexts: ContextCalls,
    private readonly sw: Switch,
    private readonly isIdle: (socket: object) => boolean,
  ) {}

  /** Called as a response finishes, before Node re-arms its connection's timer. */
  responseFinished(socket: object): void {
    if (!this.sw.on) return;
    const previous = this.last;
    this.last = socket;
    if (previous === undefined || previous === socket || !this.isIdle(previous)) return;
    try {
      const timer = timerOf(previous);
      if (timer !== undefined) this.contexts.dropFrom(timer);
    } catch (err) {
      this.sw.fail('idle connection', err);
    }
  }
}
