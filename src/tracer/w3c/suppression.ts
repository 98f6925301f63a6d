/**
 * OpenTelemetry's "suppress tracing" context flag. The key is the one the OpenTelemetry SDK
 * creates (a `Symbol.for` key, so the same in every copy), so code that suppresses tracing
 * with @opentelemetry/core's `suppressTracing` is honoured here too.
 */
import { createContextKey, type Context } from '@opentelemetry/api';

const SUPPRESS_TRACING = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');

/** True when the context says not to trace (nor propagate) what runs in it. */
export function isTracingSuppressed(ctx: Context): boolean {
  return ctx.getValue(SUPPRESS_TRACING) === true;
}
