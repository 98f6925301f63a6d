/**
 * What tracekit knows about one incoming request while it runs: its server span (recording
 * or not), its route once a framework names it, and the counters that end up on the span
 * and in the request metrics. It lives in the active Context, so any instrumentation running
 * on behalf of the request (a query, an outgoing call) can add to it, sampled or not.
 */
import type { ServerResponse } from 'node:http';
import { createContextKey, context, type Context, type Span as ApiSpan } from '@opentelemetry/api';

export const REQUEST_STATE_KEY = createContextKey('tracekit.request');

/** A request's slowest query templates, slowest first: `maxMs[i]` and `counts[i]` belong to `templates[i]`. */
export interface SlowestTemplates {
  templates: string[];
  maxMs: number[];
  counts: number[];
}

/** A template that ran at least the N+1 threshold times in one request. */
export interface RepeatedQuery {
  template: string;
  count: number;
}

/** Most distinct templates one request keeps stats for; more are counted but not named. */
const MAX_TEMPLATES = 200;
/** Up to this many templates a request's lists are scanned; beyond, looked up in a Map. */
const SCAN_LIMIT = 16;

export class RequestState {
  route: string | undefined = undefined;
  statusCode = 0;
  endMs = 0;
  outgoingCount = 0;
  outgoingMs = 0;
  dbCount = 0;
  dbMs = 0;
  /**
   * Per normalised query text, in the order first run (created by the first query): one flat
   * list of (template, runs, slowest run in ms) triples. Most requests run a few templates,
   * found by a short scan (the normalisation cache hands out one string per template, so
   * mostly an identity compare). A Map and its iteration cost half a KB of garbage a request,
   * three parallel lists about as much (each push-grown list reserves 17 slots); one list
   * grows once. Past SCAN_LIMIT templates a Map index is built.
   */
  private templateStats: (string | number)[] | undefined = undefined;
  private templateIndex: Map<string, number> | undefined = undefined;
  /** Set at the end of the request when one template repeated at least the threshold. */
  nPlusOne: RepeatedQuery | undefined = undefined;
  /**
   * Spans that end with the response at the latest (express handler spans): the first in a
   * field, more in a list. Nearly every request has exactly one, so it costs no array.
   */
  private pendingFirst: ApiSpan | undefined = undefined;
  private pendingMore: ApiSpan[] | undefined = undefined;
  /** The last error recorded for this request, so one error is recorded once. */
  lastError: unknown = undefined;
  /** Express: the router's final callback is wrapped (once per request). */
  outWrapped = false;
  /** Express: the mount paths of the routers the request is inside, outermost first. */
  mountStack: string[] | undefined = undefined;
  /** The response, for ending the request when its connection closes first. */
  response: ServerResponse | undefined = undefined;
  /** The connection's bookkeeping (http-server), which lists its unfinished requests. */
  connection: { remove(state: RequestState): void } | undefined = undefined;

  constructor(
    readonly span: ApiSpan,
    readonly method: string,
    readonly startMs: number,
  ) {}

  /** Counts one finished query of this request under its normalised text. */
  recordQuery(template: string, ms: number): void {
    this.dbCount++;
    this.dbMs += ms;
    const stats = this.templateStats;
    if (stats === undefined) {
      this.templateStats = [template, 1, ms];
      return;
    }
    const at = this.offsetOf(stats, template);
    if (at !== -1) {
      (stats[at + 1] as number)++;
      if (ms > (stats[at + 2] as number)) stats[at + 2] = ms;
    } else if (stats.length < MAX_TEMPLATES * 3) {
      this.templateIndex?.set(template, stats.length);
      stats.push(template, 1, ms);
    }
  }

  /** Where `template`'s triple starts in `stats`, or -1. */
  private offsetOf(stats: (string | number)[], template: string): number {
    if (stats.length <= SCAN_LIMIT * 3) {
      for (let i = 0; i < stats.length; i += 3) if (stats[i] === template) return i;
      return -1;
    }
    if (this.templateIndex === undefined) {
      this.templateIndex = new Map();
      for (let i = 0; i < stats.length; i += 3) this.templateIndex.set(stats[i] as string, i);
    }
    return this.templateIndex.get(template) ?? -1;
  }

  /** Lets go of the per-template stats (the request has ended; its request object may linger). */
  forgetTemplates(): void {
    this.templateStats = undefined;
    this.templateIndex = undefined;
  }

  /** The most repeated template when it ran at least `threshold` times, else undefined. */
  findNPlusOne(threshold: number): RepeatedQuery | undefined {
    const stats = this.templateStats;
    if (stats === undefined) return undefined;
    let best = -1;
    let bestCount = threshold - 1;
    for (let i = 0; i < stats.length; i += 3) {
      const count = stats[i + 1] as number;
      if (count > bestCount) {
        best = i;
        bestCount = count;
      }
    }
    return best === -1 ? undefined : { template: stats[best] as string, count: bestCount };
  }

  /**
   * Up to `n` templates by their slowest single run, slowest first (ties in the order the
   * templates first ran), as three parallel lists, the form the span attributes take. One pass
   * over the templates, no sort and no splice: this runs at the end of every request that
   * queried, and splice's removed-items arrays were a third of its garbage.
   */
  slowestTemplates(n: number): SlowestTemplates {
    const out: SlowestTemplates = { templates: [], maxMs: [], counts: [] };
    const stats = this.templateStats;
    if (stats === undefined) return out;
    const { templates, maxMs, counts } = out;
    for (let t = 0; t < stats.length; t += 3) {
      const runMs = stats[t + 2] as number;
      let i = templates.length;
      while (i > 0 && maxMs[i - 1] < runMs) i--;
      if (i >= n) continue;
      // Shift the slower-than-this tail right by one (dropping what falls past n), then insert.
      let last = templates.length < n ? templates.length : n - 1;
      for (; last > i; last--) {
        templates[last] = templates[last - 1];
        maxMs[last] = maxMs[last - 1];
        counts[last] = counts[last - 1];
      }
      templates[i] = stats[t] as string;
      maxMs[i] = runMs;
      counts[i] = stats[t + 1] as number;
    }
    return out;
  }

  /** Adds a span to end with the response (if it has not ended by then). */
  addPending(span: ApiSpan): void {
    if (this.pendingFirst === undefined) this.pendingFirst = span;
    else (this.pendingMore ??= []).push(span);
  }

  /** Ends spans still open when the response is done, at the response's end time. */
  endPending(endMs?: number): void {
    const first = this.pendingFirst;
    const more = this.pendingMore;
    this.pendingFirst = undefined;
    this.pendingMore = undefined;
    first?.end(endMs);
    if (more !== undefined) for (const span of more) span.end(endMs);
  }
}

/**
 * Incoming request → its state, as a symbol property. It is added in the server's `emit`,
 * when every request still has the same hidden class, so the store is a cached transition;
 * a WeakMap costs an identity hash and an ephemeron entry per request instead. (Properties
 * added later, after express swaps the request's prototype, are what must be avoided: each
 * makes V8 build a new hidden class.)
 */
const STATE = Symbol('tracekit.request.state');
type WithState = { [STATE]?: RequestState };

/**
 * The request attached last, and its state. Express asks for the state three or four times
 * while it dispatches a request, nearly always synchronously inside the server's `emit`, so
 * before any other request has started. By then express has swapped the request's prototype,
 * and on Node 20 and 22 a property load on such an object goes to V8's runtime; an identity
 * check does not (measured with bench/instructions.cjs: about 4.6k instructions fewer a
 * request, of 576k). One entry, let go when its request ends, so it holds nothing for long.
 */
let lastRequest: object | undefined = undefined;
let lastState: RequestState | undefined = undefined;

/** The state of an incoming request (an http.IncomingMessage), if tracekit saw it start. */
export function stateOf(req: object | null | undefined): RequestState | undefined {
  if (req === lastRequest) return lastState;
  return req === null || req === undefined ? undefined : (req as WithState)[STATE];
}

/** Remembers the state of an incoming request; call it before any framework touches the request. */
export function attachState(req: object, state: RequestState): void {
  (req as WithState)[STATE] = state;
  lastRequest = req;
  lastState = state;
}

/** Lets go of a finished request's entry in the one-request cache of `stateOf`. */
export function releaseState(state: RequestState): void {
  if (lastState === state) lastRequest = lastState = undefined;
}

/** The request the current code runs for, if any. */
export function currentRequest(ctx: Context = context.active()): RequestState | undefined {
  return ctx.getValue(REQUEST_STATE_KEY) as RequestState | undefined;
}
