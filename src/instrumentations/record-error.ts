import { SpanStatusCode, type Span as ApiSpan } from '@opentelemetry/api';
import { exceptionAttributes } from '../tracer/span';

/**
 * Marks a span as failed by `error`: an `exception` event with type, message and stack,
 * `error.type`, and status ERROR. The error object itself is never touched. `scrub`, when
 * given, rewrites the message (and the message inside the stack) before it is stored.
 */
export function recordError(span: ApiSpan, error: unknown, scrub?: (message: string) => string): void {
  if (!span.isRecording()) return;
  const attrs = exceptionAttributes(error);
  const message = attrs['exception.message'];
  if (scrub !== undefined && typeof message === 'string' && message !== '') {
    const clean = scrub(message);
    attrs['exception.message'] = clean;
    const stack = attrs['exception.stacktrace'];
    if (typeof stack === 'string') attrs['exception.stacktrace'] = stack.split(message).join(clean);
  }
  span.addEvent('exception', attrs);
  const code = (error as { code?: unknown } | null)?.code;
  const type = typeof code === 'string' ? code : attrs['exception.type'];
  span.setAttribute('error.type', String(type ?? 'Error'));
  span.setStatus({ code: SpanStatusCode.ERROR, message: typeof attrs['exception.message'] === 'string' ? attrs['exception.message'] : undefined });
}
