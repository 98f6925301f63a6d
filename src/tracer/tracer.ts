/**
 * A lean implementation of the OpenTelemetry API's TracerProvider and Tracer (not the SDK).
 * Sampled-out spans are UnsampledSpans: a real trace id with the sampled flag off, so
 * propagation still works, and the cost is one small object (hex built only on demand).
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
import type { TraceIdWords } from '../otlp/types';
import { hexWord } from './id-hex';
import { fillTraceWords, newSpanId, type TraceWordsOut } from './ids';
import { shouldSample, type SamplerSettings } from './sampler';
import { Span } from './span';
import { UnsampledSpan } from './unsampled-span';

/**
 * Where a root span's new trace id is written: the Span constructor copies the words at
 * once and nothing runs in between, so a root span allocates nothing for its trace id.
 */
const rootIds: TraceWordsOut = { t0: 0, t1: 0, t2: 0, t3: 0 };

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
    let ids: TraceIdWords;
    let p0 = 0;
    let p1 = 0;
    let parentSampled: boolean | undefined;
    let traceState: string | undefined;
    if (parentSpan instanceof Span || parentSpan instanceof UnsampledSpan) {
      // Our own span, recording (sampled) or not: its ids are words already.
      ids = parentSpan;
      p0 = parentSpan.s0;
      p1 = parentSpan.s1;
      parentSampled = parentSpan instanceof Span;
      traceState = parentSpan.traceState;
    } else {
      const parent = parentSpan?.spanContext();
      if (parent !== undefined && trace.isSpanContextValid(parent)) {
        // A remote or foreign parent: its ids are hex, parsed only if this span is recorded.
        parentSampled = (parent.traceFlags & 1) === 1;
        if (!shouldSample(this.sampler, hexWord(parent.traceId, 24), parentSampled)) {
          return trace.wrapSpanContext({ traceId: parent.traceId, spanId: newSpanId(), traceFlags: 0, traceState: parent.traceState });
        }
        ids = { t0: hexWord(parent.traceId, 0), t1: hexWord(parent.traceId, 8), t2: hexWord(parent.traceId, 16), t3: hexWord(parent.traceId, 24) };
        p0 = hexWord(parent.spanId, 0);
        p1 = hexWord(parent.spanId, 8);
        traceState = parent.traceState?.serialize();
      } else {
        fillTraceWords(rootIds);
        ids = rootIds;
      }
    }
    if (!shouldSample(this.sampler, ids.t3, parentSampled)) return new UnsampledSpan(ids, traceState);
    const span = new Span(name, options.kind ?? SpanKind.INTERNAL, ids, p0, p1, traceState, this.scopeName, this.scopeVersion, options.startTime);
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
