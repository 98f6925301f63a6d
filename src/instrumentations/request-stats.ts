/**
 * The per-request summary tracekit adds to a server span when the response ends: how many
 * outgoing calls and queries the request made, how long they took, its three slowest query
 * templates, and the N+1 flag when one template repeated at least the configured threshold.
 */
import type { Span as ApiSpan } from '@opentelemetry/api';
import { REQUEST_ATTRIBUTES } from '../shared/contract';
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
    span.setAttribute(REQUEST_ATTRIBUTES.outgoingCount, state.outgoingCount);
    span.setAttribute(REQUEST_ATTRIBUTES.outgoingDurationMs, ms(state.outgoingMs));
  }
  if (state.dbCount === 0) return;
  span.setAttribute(REQUEST_ATTRIBUTES.dbCount, state.dbCount);
  span.setAttribute(REQUEST_ATTRIBUTES.dbDurationMs, ms(state.dbMs));
  const slowest = state.slowestTemplates(SLOWEST);
  for (let i = 0; i < slowest.maxMs.length; i++) slowest.maxMs[i] = ms(slowest.maxMs[i]);
  span.setAttribute(REQUEST_ATTRIBUTES.slowestTemplates, slowest.templates);
  span.setAttribute(REQUEST_ATTRIBUTES.slowestMaxMs, slowest.maxMs);
  span.setAttribute(REQUEST_ATTRIBUTES.slowestCounts, slowest.counts);
  const repeated = state.nPlusOne;
  if (repeated !== undefined) {
    span.setAttribute(REQUEST_ATTRIBUTES.nPlusOne, true);
    span.setAttribute(REQUEST_ATTRIBUTES.nPlusOneTemplate, repeated.template);
    span.setAttribute(REQUEST_ATTRIBUTES.nPlusOneCount, repeated.count);
  }
}
