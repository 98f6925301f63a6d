/**
 * The W3C trace-context and baggage propagators from @opentelemetry/core. Its index loads the
 * whole package (resources, semantic conventions, timing utilities: about 1.2 MB of heap that
 * every major GC of the app then marks); the three files we use cost 0.1 MB. Should a future
 * version move them, the index is the fallback.
 */
import { trace, type Context, type TextMapPropagator, type TextMapSetter } from '@opentelemetry/api';
import { Span } from './span';
import { UnsampledSpan } from './unsampled-span';

type PropagatorClass = new () => TextMapPropagator;
type CompositeClass = new (config: { propagators: TextMapPropagator[] }) => TextMapPropagator;

function load<T>(file: string, name: string): T {
  try {
    const mod = require(`@opentelemetry/core/build/src/${file}`) as Record<string, T>;
    if (mod[name] !== undefined) return mod[name];
  } catch {
    // fall through to the index
  }
  return (require('@opentelemetry/core') as Record<string, T>)[name];
}

/**
 * trace-context with a shorter path for tracekit's own spans, whose ids are valid by
 * construction: core's inject checks both ids against regular expressions on every
 * outgoing call. Anything else (a foreign span, suppressed tracing) goes through core's.
 */
function fastTraceContext(Base: PropagatorClass, isSuppressed: (ctx: Context) => boolean): TextMapPropagator {
  return new (class extends Base {
    override inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
      const span = trace.getSpan(ctx);
      if ((span instanceof Span || span instanceof UnsampledSpan) && !isSuppressed(ctx)) {
        const sc = span.spanContext();
        setter.set(carrier, 'traceparent', `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & 1}`);
        if (sc.traceState !== undefined) setter.set(carrier, 'tracestate', sc.traceState.serialize());
        return;
      }
      super.inject(ctx, carrier, setter);
    }
  })();
}

/** W3C trace-context and baggage, composed. */
export function w3cPropagator(): TextMapPropagator {
  const TraceContext = load<PropagatorClass>('trace/W3CTraceContextPropagator', 'W3CTraceContextPropagator');
  const Baggage = load<PropagatorClass>('baggage/propagation/W3CBaggagePropagator', 'W3CBaggagePropagator');
  const Composite = load<CompositeClass>('propagation/composite', 'CompositePropagator');
  const isSuppressed = load<(ctx: Context) => boolean>('trace/suppress-tracing', 'isTracingSuppressed');
  const traceContext = typeof isSuppressed === 'function' ? fastTraceContext(TraceContext, isSuppressed) : new TraceContext();
  return new Composite({ propagators: [traceContext, new Baggage()] });
}
