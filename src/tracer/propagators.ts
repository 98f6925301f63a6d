/**
 * The W3C trace-context and baggage propagators from @opentelemetry/core. Its index loads the
 * whole package (resources, semantic conventions, timing utilities: about 1.2 MB of heap that
 * every major GC of the app then marks); the three files we use cost 0.1 MB. Should a future
 * version move them, the index is the fallback.
 */
import type { TextMapPropagator } from '@opentelemetry/api';

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

/** W3C trace-context and baggage, composed. */
export function w3cPropagator(): TextMapPropagator {
  const TraceContext = load<PropagatorClass>('trace/W3CTraceContextPropagator', 'W3CTraceContextPropagator');
  const Baggage = load<PropagatorClass>('baggage/propagation/W3CBaggagePropagator', 'W3CBaggagePropagator');
  const Composite = load<CompositeClass>('propagation/composite', 'CompositePropagator');
  return new Composite({ propagators: [new TraceContext(), new Baggage()] });
}
