/**
 * A span that is not recorded: a trace id, a span id and the sampled flag off, so that what
 * it propagates still names the trace. Like the recording Span it keeps its ids as 32-bit
 * words (see ids.ts) and builds the hex strings only when something asks for its context (a
 * propagator injecting headers into an outgoing call). Most unsampled requests make no such
 * call, so they cost one small object and no strings.
 */
import type { Span as ApiSpan, SpanContext } from '@opentelemetry/api';
import type { TraceIdWords } from '../otlp/types';
import { traceIdHex, wordsToHex } from './id-hex';
import { nonZeroWord, randomWord } from './ids';
import { traceStateView } from './trace-state';

export class UnsampledSpan implements ApiSpan, TraceIdWords {
  readonly t0: number;
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly s0: number;
  readonly s1: number;
  private context: SpanContext | undefined = undefined;

  /** `trace` is copied at once (the tracer reuses the object it passes for root spans); the span id is made here. */
  constructor(
    trace: TraceIdWords,
    readonly traceState: string | undefined,
  ) {
    this.t0 = trace.t0;
    this.t1 = trace.t1;
    this.t2 = trace.t2;
    this.t3 = trace.t3;
    this.s0 = nonZeroWord();
    this.s1 = randomWord();
  }

  spanContext(): SpanContext {
    if (this.context === undefined) {
      this.context = {
        traceId: traceIdHex(this),
        spanId: wordsToHex(this.s0, this.s1),
        traceFlags: 0,
        isRemote: false,
      };
      if (this.traceState !== undefined) this.context.traceState = traceStateView(this.traceState);
    }
    return this.context;
  }

  setAttribute(): this {
    return this;
  }

  setAttributes(): this {
    return this;
  }

  addEvent(): this {
    return this;
  }

  addLink(): this {
    return this;
  }

  addLinks(): this {
    return this;
  }

  setStatus(): this {
    return this;
  }

  updateName(): this {
    return this;
  }

  end(): void {}

  isRecording(): boolean {
    return false;
  }

  recordException(): void {}
}
