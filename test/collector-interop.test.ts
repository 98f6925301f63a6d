/**
 * Interoperability: the official OpenTelemetry JS exporters (OTLP/HTTP JSON and protobuf,
 * with the OTel SDK's span processor) send to a real `tracekit start`, and their spans,
 * with parent links, attributes and exceptions, come back from the query API.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { startCollectorProcess, type CollectorProcess } from './helpers/collector';

interface Span { spanId: string; parentId: string | null; name: string; kind: number; status: number; attributes: Record<string, unknown>; events: { name: string }[] }
interface Summary { traceId: string; route: string; httpStatus: number; error: boolean }

/** Makes one server span with a client child and an exception, through the given exporter. */
async function sendThrough(exporter: SpanExporter, service: string): Promise<string> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'service.instance.id': `${service}-1` }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('interop-test', '1.2.3');
  const server = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'http.response.status_code': 500, 'url.path': '/orders/7' } });
  const ctx = trace.setSpan(context.active(), server);
  const client = tracer.startSpan('GET', { kind: SpanKind.CLIENT, attributes: { 'http.request.method': 'GET', 'server.address': 'payments.example', 'server.port': 8443, 'url.full': 'https://payments.example:8443/pay' } }, ctx);
  client.end();
  server.recordException(new RangeError('order 7 is out of range'));
  server.setStatus({ code: SpanStatusCode.ERROR });
  server.end();
  await provider.forceFlush();
  await provider.shutdown();
  return server.spanContext().traceId;
}

describe('official OpenTelemetry exporters into the collector', () => {
  let collector: CollectorProcess;
  before(async () => {
    collector = await startCollectorProcess();
  });
  after(async () => {
    await collector.stop();
  });

  for (const [name, make] of [
    ['@opentelemetry/exporter-trace-otlp-http (JSON)', (url: string) => new HttpJsonExporter({ url: `${url}/v1/traces` })],
    ['@opentelemetry/exporter-trace-otlp-proto (protobuf)', (url: string) => new ProtoExporter({ url: `${url}/v1/traces` })],
  ] as const) {
    it(`${name}: spans, nesting, attributes and the exception arrive`, async () => {
      const service = name.includes('proto') ? 'otel-proto' : 'otel-json';
      const traceId = await sendThrough(make(collector.url), service);
      const t = await collector.api<{ spans: Span[] }>(`traces/${traceId}`);
      assert.equal(t.spans.length, 2);
      const server = t.spans.find((s) => s.kind === 2) as Span;
      const client = t.spans.find((s) => s.kind === 3) as Span;
      assert.equal(server.name, 'GET /orders/:id');
      assert.equal(server.parentId, null);
      assert.equal(client.parentId, server.spanId);
      assert.equal(server.status, 2);
      assert.equal(server.attributes['http.response.status_code'], 500);
      assert.ok(server.events.some((e) => e.name === 'exception'));

      // Without tracekit's request metrics, the views come from the spans.
      const routes = await collector.api<{ route: string; requests: number; errors: number }[]>(`routes?service=${service}&window=5m`);
      assert.deepEqual(routes.map((r) => [r.route, r.requests, r.errors]), [['/orders/:id', 1, 1]]);
      const overview = await collector.api<{ source: string; requests: number }>(`overview?service=${service}&window=5m`);
      assert.deepEqual([overview.source, overview.requests], ['spans', 1]);
      const hosts = await collector.api<{ host: string; calls: number }[]>(`outgoing?service=${service}&window=5m`);
      assert.deepEqual(hosts.map((h) => [h.host, h.calls]), [['payments.example:8443', 1]]);
      const errors = await collector.api<{ type: string; message: string; routes: string[] }[]>(`errors?service=${service}&window=5m`);
      assert.deepEqual(errors.map((e) => [e.type, e.message, e.routes]), [['RangeError', 'order 7 is out of range', ['/orders/:id']]]);
      const found = await collector.api<Summary[]>(`traces?service=${service}&status=error&window=5m`);
      assert.deepEqual(found.map((s) => s.traceId), [traceId]);
    });
  }
});
