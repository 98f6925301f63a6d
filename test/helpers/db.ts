/** Helpers shared by the database tests: a request's spans, and what an app answered. */
import assert from 'node:assert/strict';
import type { OtlpReceiver, ReceivedSpan } from './otlp-receiver';
import { get } from './app';
import { CLIENT, SERVER } from './traces';

export interface RequestTrace {
  body: string;
  status: number;
  server: ReceivedSpan;
  /** The database spans in the request's trace, in start order. */
  db: ReceivedSpan[];
  all: ReceivedSpan[];
}

/** Every span of `service` as JSON, for searching what was exported. */
export function exported(receiver: OtlpReceiver): string {
  return JSON.stringify({ spans: receiver.spans, metrics: receiver.metrics }, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/**
 * GETs `path` on an app and waits for its server span and `dbCount` database spans (at least)
 * to arrive at the receiver.
 */
export async function tracedRequest(receiver: OtlpReceiver, service: string, baseUrl: string, path: string, dbCount = 1): Promise<RequestTrace> {
  const res = await get(`${baseUrl}${path}`);
  const ofRequest = (): ReceivedSpan | undefined =>
    receiver.spans.find((s) => s.resource['service.name'] === service && s.kind === SERVER && s.attributes['url.path'] === path.split('?')[0]);
  const dbOf = (server: ReceivedSpan): ReceivedSpan[] =>
    receiver.spans.filter((s) => s.traceId === server.traceId && s.kind === CLIENT && s.attributes['db.system.name'] !== undefined).sort((a, b) => (a.startNs < b.startNs ? -1 : 1));
  await receiver.waitFor(
    () => {
      const server = ofRequest();
      return server !== undefined && dbOf(server).length >= dbCount;
    },
    15000,
    `${service} ${path} with ${dbCount} database span(s)`,
  );
  const server = ofRequest()!;
  return { body: res.body, status: res.status, server, db: dbOf(server), all: receiver.trace(server.traceId) };
}

/** Asserts the span is a direct child of the request's server span. */
export function assertChildOf(server: ReceivedSpan, span: ReceivedSpan): void {
  assert.equal(span.traceId, server.traceId, `${span.name} is in the request's trace`);
  assert.equal(span.parentSpanId, server.spanId, `${span.name} is a child of the request span`);
}
