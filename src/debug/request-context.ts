/**
 * The request a snapshot was taken in: method, route, URL with its query redacted, headers
 * with secret values redacted, the span's ids and the time since the request began. Read from
 * the active context, so it is right for the code that is running (or paused) now.
 */
import { context, trace } from '@opentelemetry/api';
import { currentRequest } from '../instrumentations/request-state';
import { redactUrl } from '../instrumentations/redact';
import { nowMs } from '../tracer/time';
import { isSecretKey, looksSecret, REDACTED } from './secrets';
import type { RequestSummary, SnapshotContext } from './snapshot-record';

/** Headers listed per snapshot at most; a header value is cut at this many characters. */
const MAX_HEADERS = 40;
const MAX_HEADER_CHARS = 255;

function headersOf(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const name of Object.keys(raw)) {
    if (n++ >= MAX_HEADERS) break;
    const v = raw[name];
    const text = Array.isArray(v) ? v.join(', ') : v === undefined ? '' : v;
    out[name] = isSecretKey(name) || looksSecret(text) ? REDACTED : text.slice(0, MAX_HEADER_CHARS);
  }
  return out;
}

/** The context of the code running now; never throws. */
export function snapshotContext(): SnapshotContext {
  try {
    const ctx = context.active();
    const ids = trace.getSpan(ctx)?.spanContext();
    const state = currentRequest(ctx);
    let request: RequestSummary | undefined;
    if (state !== undefined) {
      const req = state.response?.req;
      request = {
        method: state.method,
        route: state.route,
        url: req?.url === undefined ? undefined : redactUrl(req.url),
        headers: req === undefined ? {} : headersOf(req.headers),
      };
    }
    return {
      traceId: ids?.traceId,
      spanId: ids?.spanId,
      request,
      sinceRequestMs: state === undefined ? undefined : Math.round((nowMs() - state.startMs) * 1000) / 1000,
    };
  } catch {
    return { traceId: undefined, spanId: undefined, request: undefined, sinceRequestMs: undefined };
  }
}
