/**
 * The propagators tracekit registers: W3C trace-context and baggage (our own, in `w3c/`),
 * composed. Trace-context takes a shorter path for tracekit's own spans, whose ids are valid
 * by construction, so an outgoing call does not re-check them.
 */
import { trace, type Context, type TextMapGetter, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { Span } from './span';
import { UnsampledSpan } from './unsampled-span';
import { BaggagePropagator } from './w3c/baggage';
import { isTracingSuppressed } from './w3c/suppression';
import { TraceContextPropagator } from './w3c/trace-context';

class FastTraceContext extends TraceContextPropagator {
  override inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    const span = trace.getSpan(ctx);
    if ((span instanceof Span || span instanceof UnsampledSpan) && !isTracingSuppressed(ctx)) {
      const sc = span.spanContext();
      setter.set(carrier, 'traceparent', `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`);
      if (sc.traceState !== undefined) setter.set(carrier, 'tracestate', sc.traceState.serialize());
      return;
    }
    super.inject(ctx, carrier, setter);
  }
}

/** Runs each propagator in turn; one that throws is skipped, never the others. */
class Composite implements TextMapPropagator {
  constructor(private readonly propagators: TextMapPropagator[]) {}

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    for (const p of this.propagators) {
      try {
        p.inject(ctx, carrier, setter);
      } catch {
        // a propagator's failure must not stop the call or the other propagators
      }
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    let out = ctx;
    for (const p of this.propagators) {
      try {
        out = p.extract(out, carrier, getter);
      } catch {
        // keep what the others extracted
      }
    }
    return out;
  }

  fields(): string[] {
    return [...new Set(this.propagators.flatMap((p) => p.fields()))];
  }
}

/** W3C trace-context and baggage, composed. */
export function w3cPropagator(): TextMapPropagator {
  return new Composite([new FastTraceContext(), new BaggagePropagator()]);
}
