/**
 * What tracekit knows about one incoming request while it runs: its server span (recording
 * or not), its route once a framework names it, and the counters that end up on the span
 * and in the request metrics. It lives in the active Context, so any instrumentation running
 * on behalf of the request (a query, an outgoing call) can add to it, sampled or not.
 */
import { createContextKey, context, type Context, type Span as ApiSpan } from '@opentelemetry/api';

export const REQUEST_STATE_KEY = createContextKey('tracekit.request');

export class RequestState {
  route: string | undefined = undefined;
  statusCode = 0;
  endMs = 0;
  outgoingCount = 0;
  outgoingMs = 0;
  /** Spans that end with the response at the latest (express handler spans). */
  pending: ApiSpan[] | undefined = undefined;
  /** The last error recorded for this request, so one error is recorded once. */
  lastError: unknown = undefined;

  constructor(
    readonly span: ApiSpan,
    readonly method: string,
    readonly startMs: number,
  ) {}

  /** Ends spans still open when the response is done, at the response's end time. */
  endPending(endMs?: number): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    for (const span of pending) span.end(endMs);
  }
}

/** The request the current code runs for, if any. */
export function currentRequest(ctx: Context = context.active()): RequestState | undefined {
  return ctx.getValue(REQUEST_STATE_KEY) as RequestState | undefined;
}
