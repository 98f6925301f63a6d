/**
 * A test OTLP/HTTP receiver. Protobuf is decoded with the official opentelemetry-proto
 * definitions as compiled by protobufjs in @opentelemetry/otlp-transformer@0.52.1, not with
 * tracekit's encoder; JSON is parsed as the spec's JSON mapping. Everything received is kept
 * in a normalised form the tests assert on.
 */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

const root = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const TraceRequest = root.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
const MetricsRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

export type Value = string | number | boolean | Value[] | null;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, Value>;
  events: { name: string; timeNs: bigint; attributes: Record<string, Value> }[];
  status: { code: number; message: string };
  resource: Record<string, Value>;
  scope: string;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  resource: Record<string, Value>;
  kind: 'gauge' | 'sum' | 'histogram';
  temporality?: number;
  points: { attributes: Record<string, Value>; value?: number; count?: number; sum?: number; bucketCounts?: number[]; bounds?: number[]; min?: number; max?: number }[];
}

export interface RequestLog {
  path: string;
  headers: http.IncomingHttpHeaders;
  contentType: string;
  bytes: number;
}

type AnyValueMsg = { stringValue?: string; boolValue?: boolean; intValue?: unknown; doubleValue?: number; arrayValue?: { values?: AnyValueMsg[] } };

function anyValue(v: AnyValueMsg | undefined): Value {
  if (v === undefined || v === null) return null;
  if (v.stringValue !== undefined && v.stringValue !== null) return v.stringValue;
  if (v.boolValue !== undefined && v.boolValue !== null) return v.boolValue;
  if (v.intValue !== undefined && v.intValue !== null) return Number(v.intValue);
  if (v.doubleValue !== undefined && v.doubleValue !== null) return Number(v.doubleValue);
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValue);
  return null;
}

function attrs(list: { key: string; value?: AnyValueMsg }[] | undefined): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list ?? []) out[kv.key] = anyValue(kv.value);
  return out;
}

const hex = (b: unknown): string => (typeof b === 'string' ? b : b ? Buffer.from(b as Uint8Array).toString('hex') : '');

export class OtlpReceiver {
  spans: ReceivedSpan[] = [];
  metrics: ReceivedMetric[] = [];
  requests: RequestLog[] = [];
  /** Status to answer with (200 by default); tests set 503 etc. */
  respondWith: { status: number; headers?: Record<string, string> } = { status: 200 };
  /** Answers for the next requests, in order, before falling back to `respondWith`. */
  script: { status: number; headers?: Record<string, string> }[] = [];
  private readonly server: http.Server | https.Server;
  private waiters: (() => void)[] = [];
  url = '';

  /** With `tls` (PEM key and certificate) it answers https. */
  constructor(private readonly tls?: { key: string; cert: string }) {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => this.handle(req, res);
    this.server = tls === undefined ? http.createServer(handler) : https.createServer(tls, handler);
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.url = `${this.tls === undefined ? 'http' : 'https'}://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Resolves when `predicate` holds for what has been received, or rejects after `timeoutMs`. */
  async waitFor(predicate: (r: this) => boolean, timeoutMs = 15000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; have ${this.spans.length} spans: ${this.spans.map((s) => s.name).join(', ')}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const contentType = String(req.headers['content-type'] ?? '');
      this.requests.push({ path: req.url ?? '', headers: req.headers, contentType, bytes: body.length });
      const answer = this.script.shift() ?? this.respondWith;
      if (answer.status !== 200) {
        res.writeHead(answer.status, answer.headers ?? {});
        res.end();
        for (const w of this.waiters.splice(0)) w();
        return;
      }
      try {
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const json = contentType.includes('json');
        if (req.url === '/v1/traces') this.addTraces(json ? JSON.parse(body.toString('utf8')) : TraceRequest.toObject(TraceRequest.decode(body), { longs: String }));
        else if (req.url === '/v1/metrics') this.addMetrics(json ? JSON.parse(body.toString('utf8')) : MetricsRequest.toObject(MetricsRequest.decode(body), { longs: String }));
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : Buffer.alloc(0));
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' });
        res.end(String(err));
      }
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private addTraces(msg: any): void {
    for (const rs of msg.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            traceId: hex(s.traceId),
            spanId: hex(s.spanId),
            parentSpanId: hex(s.parentSpanId),
            name: s.name,
            kind: Number(s.kind ?? 0),
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            attributes: attrs(s.attributes),
            events: (s.events ?? []).map((e: { name: string; timeUnixNano: string; attributes?: [] }) => ({ name: e.name, timeNs: BigInt(e.timeUnixNano), attributes: attrs(e.attributes) })),
            status: { code: Number(s.status?.code ?? 0), message: s.status?.message ?? '' },
            resource,
            scope: ss.scope?.name ?? '',
          });
        }
      }
    }
  }

  private addMetrics(msg: any): void {
    for (const rm of msg.resourceMetrics ?? []) {
      const resource = attrs(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const kind = m.histogram ? 'histogram' : m.sum ? 'sum' : 'gauge';
          const data = m.histogram ?? m.sum ?? m.gauge;
          this.metrics.push({
            name: m.name,
            unit: m.unit ?? '',
            resource,
            kind,
            temporality: data.aggregationTemporality,
            points: (data.dataPoints ?? []).map((p: any) => ({
              attributes: attrs(p.attributes),
              value: p.asDouble !== undefined ? Number(p.asDouble) : p.asInt !== undefined ? Number(p.asInt) : undefined,
              count: p.count !== undefined ? Number(p.count) : undefined,
              sum: p.sum !== undefined ? Number(p.sum) : undefined,
              bucketCounts: p.bucketCounts?.map(Number),
              bounds: p.explicitBounds?.map(Number),
              min: p.min !== undefined ? Number(p.min) : undefined,
              max: p.max !== undefined ? Number(p.max) : undefined,
            })),
          });
        }
      }
    }
  }

  /** Spans of one trace. */
  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  /** Total `http.server.request.duration` count for points matching `filter`. */
  requestCount(filter: (attrs: Record<string, Value>) => boolean = () => true): number {
    let n = 0;
    for (const m of this.metrics) if (m.name === 'http.server.request.duration') for (const p of m.points) if (filter(p.attributes)) n += p.count ?? 0;
    return n;
  }
}
