/**
 * The W3C `tracestate` of a span, which tracekit keeps as its header text. The API wants a
 * TraceState object from `spanContext()`; a read-only view over the text is all that
 * propagation reads (it serializes it back into the outgoing header).
 */
import type { TraceState } from '@opentelemetry/api';

/** A read-only TraceState over its serialized form. */
export function traceStateView(raw: string): TraceState {
  return {
    get: () => undefined,
    set() {
      return this;
    },
    unset() {
      return this;
    },
    serialize: () => raw,
  };
}
