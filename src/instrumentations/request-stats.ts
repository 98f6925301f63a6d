/**
 * The per-request summary tracekit adds to a server span when the response ends: how many
 * outgoing calls and queries the request made, how long they took, its three slowest query
 * templates, and the N+1 flag when one template repeated at least the configured threshold.
 */
import type { Span as ApiSpan } from '@opentelemetry/api';
import type { RequestState } from './request-state';

const SLOWEST = 3;

function ms(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Works out the N+1 verdict for a finished request; counted whether it is sampled or not. */
export function concludeRequest(state: RequestState, nPlusOneThreshold: number): void {
  if (state.dbCount > 0) state.nPlusOne = state.findNPlusOne(nPlusOneThreshold);
}

/** Writes the request's outgoing-call and database summary on its (recording) server span. */
export function setRequestStatsAttributes(span: ApiSpan, state: RequestState): void {
  if (state.outgoingCount > 0) {
    span.setAttribute('tracekit.http.outgoing.count', state.outgoingCount);
    span.setAttribute('tracekit.http.outgoing.duration_ms', ms(state.outgoingMs));
  }
  if (state.dbCount === 0) return;
  span.setAttribute('tracekit.db.count', state.dbCount);
  span.setAttribute('tracekit.db.duration_ms', ms(state.dbMs));
  const slowest = state.slowestTemplates(SLOWEST);
  for (let i = 0; i < slowest.maxMs.length; i++) slowest.maxMs[i] = ms(slowest.maxMs[i]);
  span.setAttribute('tracekit.db.slowest.templates', slowest.templates);
  span.setAttribute('tracekit.db.slowest.max_ms', slowest.maxMs);
  span.setAttribute('tracekit.db.slowest.counts', slowest.counts);
  const repeated = state.nPlusOne;
  if (repeated !== undefined) {
    span.setAttribute('tracekit.db.n_plus_one', true);
    span.setAttribute('tracekit.db.n_plus_one.template', repeated.template);
    span.setAttribute('tracekit.db.n_plus_one.count', repeated.count);
  }
}
