/**
 * What tracekit knows about one incoming request while it runs: its server span (recording
 * or not), its route once a framework names it, and the counters that end up on the span
 * and in the request metrics. It lives in the active Context, so any instrumentation running
 * on behalf of the request (a query, an outgoing call) can add to it, sampled or not.
 */
import type { ServerResponse } from 'node:http';
import { createContextKey, context, type Context, type Span as ApiSpan } from '@opentelemetry/api';

export const REQUEST_STATE_KEY = createContextKey('tracekit.request');

/** How one query template fared within one request. */
export interface TemplateStats {
  count: number;
  /** The slowest single run, in milliseconds. */
  maxMs: number;
}

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

export class RequestState {
  route: string | undefined = undefined;
  statusCode = 0;
  endMs = 0;
  outgoingCount = 0;
  outgoingMs = 0;
  dbCount = 0;
  dbMs = 0;
  /** Per normalised query text; created by the first query. */
  dbTemplates: Map<string, TemplateStats> | undefined = undefined;
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
    const templates = (this.dbTemplates ??= new Map());
    const stats = templates.get(template);
    if (stats !== undefined) {
      stats.count++;
      if (ms > stats.maxMs) stats.maxMs = ms;
    } else if (templates.size < MAX_TEMPLATES) {
      templates.set(template, { count: 1, maxMs: ms });
    }
  }

  /** The most repeated template when it ran at least `threshold` times, else undefined. */
  findNPlusOne(threshold: number): RepeatedQuery | undefined {
    const templates = this.dbTemplates;
    if (templates === undefined) return undefined;
    // Keys and values walked apart: a `for...of` over the map's entries allocates an entry pair per template.
    let best: string | undefined;
    let bestCount = threshold - 1;
    for (const template of templates.keys()) {
      const count = (templates.get(template) as TemplateStats).count;
      if (count > bestCount) {
        best = template;
        bestCount = count;
      }
    }
    return best === undefined ? undefined : { template: best, count: bestCount };
  }

  /**
   * Up to `n` templates by their slowest single run, slowest first (ties in the order the
   * templates first ran), as three parallel lists, the form the span attributes take. One pass
   * over the templates, no sort and no splice: this runs at the end of every request that
   * queried, and splice's removed-items arrays were a third of its garbage.
   */
  slowestTemplates(n: number): SlowestTemplates {
    const out: SlowestTemplates = { templates: [], maxMs: [], counts: [] };
    const all = this.dbTemplates;
    if (all === undefined) return out;
    const { templates, maxMs, counts } = out;
    for (const template of all.keys()) {
      const stats = all.get(template) as TemplateStats;
      let i = templates.length;
      while (i > 0 && maxMs[i - 1] < stats.maxMs) i--;
      if (i >= n) continue;
      // Shift the slower-than-this tail right by one (dropping what falls past n), then insert.
      let last = templates.length < n ? templates.length : n - 1;
      for (; last > i; last--) {
        templates[last] = templates[last - 1];
        maxMs[last] = maxMs[last - 1];
        counts[last] = counts[last - 1];
      }
      templates[i] = template;
      maxMs[i] = stats.maxMs;
      counts[i] = stats.count;
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
