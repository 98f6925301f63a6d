/**
 * The W3C `traceparent`/`tracestate` propagator (https://www.w3.org/TR/trace-context/), written
 * here rather than taken from @opentelemetry/core, whose package (with the semantic
 * conventions it depends on) is 11 MB of the agent's install for two small classes.
 *
 * Injection writes version 00. Extraction accepts version 00 exactly (55 characters) and a
 * later version's first four fields when more follow after a `-`; version ff, all-zero ids and
 * anything malformed are ignored, leaving the context as it was.
 */
import { trace, TraceFlags, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { isTracingSuppressed } from './suppression';
import { W3CTraceState } from './trace-state';

const TRACEPARENT = 'traceparent';
const TRACESTATE = 'tracestate';
const HEADER = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class TraceContextPropagator implements TextMapPropagator {
  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(ctx);
    if (sc === undefined || isTracingSuppressed(ctx) || !trace.isSpanContextValid(sc)) return;
    setter.set(carrier, TRACEPARENT, `00-${sc.traceId}-${sc.spanId}-0${(sc.traceFlags & TraceFlags.SAMPLED).toString(16)}`);
    if (sc.traceState !== undefined) {
      const state = sc.traceState.serialize();
      if (state !== '') setter.set(carrier, TRACESTATE, state);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    const header = first(getter.get(carrier, TRACEPARENT));
    if (header === undefined) return ctx;
    const m = HEADER.exec(header.trim());
    if (m === null) return ctx;
    const [, version, traceId, spanId, flags, rest] = m;
    if (version === 'ff' || (version === '00' && rest !== undefined)) return ctx;
    if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return ctx;
    const state = getter.get(carrier, TRACESTATE);
    return trace.setSpanContext(ctx, {
      traceId,
      spanId,
      isRemote: true,
      traceFlags: parseInt(flags, 16) & TraceFlags.SAMPLED,
      traceState: state === undefined ? undefined : W3CTraceState.parse(Array.isArray(state) ? state.join(',') : state),
    });
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE];
  }
}
