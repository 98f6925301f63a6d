/**
 * A lean implementation of the OpenTelemetry API's TracerProvider and Tracer (not the SDK).
 * Sampled-out spans are the API's own non-recording spans carrying a real trace id with the
 * sampled flag off, so propagation still works and the cost is one small object.
 */
import {
  context as apiContext,
  trace,
  SpanKind,
  type Context,
  type Span as ApiSpan,
  type SpanOptions,
  type Tracer as ApiTracer,
  type TracerProvider as ApiTracerProvider,
} from '@opentelemetry/api';
import { newSpanId, newTraceId } from './ids';
import { shouldSample, type SamplerSettings } from './sampler';
import { Span } from './span';

/** Shared by calls that pass no options, so none allocates an empty object. */
const NO_OPTIONS: SpanOptions = Object.freeze({});

export class Tracer implements ApiTracer {
  constructor(
    private readonly sampler: SamplerSettings,
    readonly scopeName: string,
    readonly scopeVersion: string | undefined,
  ) {}

  startSpan(name: string, options: SpanOptions = NO_OPTIONS, ctx: Context = apiContext.active()): ApiSpan {
    const parentSpan = options.root ? undefined : trace.getSpan(ctx);
    const parent = parentSpan?.spanContext();
    // Our own recording spans carry ids we generated: no need to validate them again.
    const validParent = parent !== undefined && (parentSpan instanceof Span || trace.isSpanContextValid(parent));
    const traceId = validParent ? parent.traceId : newTraceId();
    const spanId = newSpanId();
    const traceState = validParent ? parent.traceState?.serialize() : undefined;
    const sampled = shouldSample(this.sampler, traceId, validParent ? (parent.traceFlags & 1) === 1 : undefined);
    if (!sampled) {
      return trace.wrapSpanContext({ traceId, spanId, traceFlags: 0, traceState: validParent ? parent.traceState : undefined });
    }
    const span = new Span(
      name,
      options.kind ?? SpanKind.INTERNAL,
      traceId,
      spanId,
      validParent ? parent.spanId : undefined,
      traceState,
      this.scopeName,
      this.scopeVersion,
      options.startTime,
    );
    if (options.attributes !== undefined) span.setAttributes(options.attributes);
    if (options.links !== undefined) span.addLinks(options.links);
    return span;
  }

  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, options: SpanOptions, ctx: Context, fn: F): ReturnType<F>;
  startActiveSpan<F extends (span: ApiSpan) => unknown>(name: string, a?: SpanOptions | F, b?: Context | F, c?: F): ReturnType<F> {
    let options: SpanOptions = {};
    let ctx: Context = apiContext.active();
    let fn: F;
    if (typeof a === 'function') fn = a;
    else if (typeof b === 'function') {
      options = a ?? {};
      fn = b;
    } else {
      options = a ?? {};
      ctx = b ?? ctx;
      fn = c as F;
    }
    const span = this.startSpan(name, options, ctx);
    return apiContext.with(trace.setSpan(ctx, span), () => fn(span)) as ReturnType<F>;
  }
}

export class TracerProvider implements ApiTracerProvider {
  private readonly tracers = new Map<string, Tracer>();

  constructor(readonly sampler: SamplerSettings) {}

  getTracer(name: string, version?: string): Tracer {
    const key = `${name}@${version ?? ''}`;
    let tracer = this.tracers.get(key);
    if (tracer === undefined) {
      tracer = new Tracer(this.sampler, name, version);
      // Bounded: a program asking for tracers with ever-new names gets a fresh, uncached one.
      if (this.tracers.size < 256) this.tracers.set(key, tracer);
    }
    return tracer;
  }
}
