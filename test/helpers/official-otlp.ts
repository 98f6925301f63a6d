/**
 * Builds OTLP protobuf requests with the official opentelemetry-proto definitions (as
 * compiled by protobufjs in @opentelemetry/otlp-transformer@0.52.1), so the collector's
 * decoder is tested against an encoder it shares nothing with.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const collector = root.opentelemetry.proto.collector;

interface ProtoType {
  fromObject(o: unknown): unknown;
  encode(m: unknown): { finish(): Uint8Array };
  decode(b: Uint8Array): unknown;
  toObject(m: unknown, o?: unknown): Record<string, unknown>;
}

export const TraceRequest: ProtoType = collector.trace.v1.ExportTraceServiceRequest;
export const TraceResponse: ProtoType = collector.trace.v1.ExportTraceServiceResponse;
export const MetricsRequest: ProtoType = collector.metrics.v1.ExportMetricsServiceRequest;
export const MetricsResponse: ProtoType = collector.metrics.v1.ExportMetricsServiceResponse;
export const LogsRequest: ProtoType = collector.logs.v1.ExportLogsServiceRequest;
export const LogsResponse: ProtoType = collector.logs.v1.ExportLogsServiceResponse;

/** Encodes a request object (bytes fields as Buffers) with an official type. */
export function encode(type: ProtoType, request: unknown): Buffer {
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

/** Decodes a response body with an official type, longs as strings. */
export function decode(type: ProtoType, body: Uint8Array): Record<string, unknown> {
  return type.toObject(type.decode(body), { longs: String });
}

/** Epoch milliseconds as the nanosecond string OTLP objects take. */
export function ns(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

export function hex(id: string): Buffer {
  return Buffer.from(id, 'hex');
}

/** Random hex of `bytes` bytes. */
export function randomHex(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += Math.floor(Math.random() * 256).toString(16).padStart(2, '0');
  return s;
}

export interface SimpleSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startMs?: number;
  durationMs?: number;
  attributes?: Record<string, unknown>[];
  events?: unknown[];
  status?: { code: number; message?: string };
}

/** A one-resource ExportTraceServiceRequest object for the official encoder. */
export function traceRequestObject(service: string, spans: SimpleSpan[]): unknown {
  const now = Date.now();
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'test-scope', version: '1.0.0' },
        spans: spans.map((s) => ({
          traceId: hex(s.traceId ?? randomHex(16)),
          spanId: hex(s.spanId ?? randomHex(8)),
          parentSpanId: s.parentSpanId === undefined ? undefined : hex(s.parentSpanId),
          name: s.name ?? 'GET /thing',
          kind: s.kind ?? 2,
          startTimeUnixNano: ns(s.startMs ?? now - 50),
          endTimeUnixNano: ns((s.startMs ?? now - 50) + (s.durationMs ?? 25)),
          attributes: s.attributes ?? [],
          events: s.events ?? [],
          status: s.status ?? { code: 0 },
        })),
      }],
    }],
  };
}
