/**
 * Decodes OTLP/JSON requests (the protobuf JSON mapping with OTLP's exceptions: trace and
 * span ids as hex, enums as integers). 64-bit integers may arrive as strings or numbers, as
 * the spec allows. Anything of the wrong type raises {@link MalformedInput}.
 */
import type { AttributeMap, AttributeValue, EventRecord, LinkRecord, OtlpSpanKind, SpanRecord } from '../../otlp/types';
import type { DecodedLogs, DecodedMetrics, DecodedTraces, LogRecordIn, MetricKind, MetricPointIn, ResourceGroup } from './model';
import { exactInteger, MalformedInput } from './proto-reader';
import { checkId, describeResource, emptyDecoded, keepOrReject, logRejection, pointRejection, spanRejection } from './validate';
import { MAX_DEPTH, noteTooDeep, treeToAttribute, type ValueTree } from './value-limits';

type Json = Record<string, unknown>;
const NS_PER_MS = 1e6;
const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];
const TEMPORALITIES = ['AGGREGATION_TEMPORALITY_UNSPECIFIED', 'AGGREGATION_TEMPORALITY_DELTA', 'AGGREGATION_TEMPORALITY_CUMULATIVE'];

/** Parses the body text; a syntax error is malformed input. */
function parse(text: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new MalformedInput(`invalid JSON: ${(err as Error).message}`);
  }
  return obj(value, 'request');
}

function obj(v: unknown, what: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MalformedInput(`${what} must be a JSON object`);
  return v as Json;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new MalformedInput(`${what} must be an array`);
  return v;
}

function str(v: unknown, what: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw new MalformedInput(`${what} must be a string`);
  return v;
}

/** An int64/uint64/fixed64 given as a number or a decimal string, as a (possibly rounded) number. */
function int64(v: unknown, what: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw new MalformedInput(`${what} must be an integer or a decimal string`);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An int64 attribute value, exactly: a number within ±(2^53 - 1), else its decimal text. */
function exactInt64(v: unknown, what: string): number | string {
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const big = BigInt(v);
    if (big < INT64_MIN || big > INT64_MAX) throw new MalformedInput(`${what} ${v.slice(0, 40)} is outside the int64 range`);
    return exactInteger(big);
  }
  return int64(v, what);
}

function double(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new MalformedInput(`${what} must be a number`);
}

function enumValue(v: unknown, names: string[], what: string): number {
  if (v === undefined || v === null) return 0;
  const n = typeof v === 'string' ? names.indexOf(v) : typeof v === 'number' && Number.isInteger(v) ? v : -1;
  if (n < 0 || n >= names.length) throw new MalformedInput(`${what} ${JSON.stringify(v)} is not a known value`);
  return n;
}

function hexId(v: unknown, bytes: number, what: string, optional: boolean): string {
  const hex = str(v, what).toLowerCase();
  checkId(hex, bytes, what, optional);
  return hex;
}

function anyValue(v: unknown): AttributeValue {
  return treeToAttribute(valueTree(v, 1));
}

/** An AnyValue at nesting level `depth`; past MAX_DEPTH its content is not read. */
function valueTree(v: unknown, depth: number): ValueTree {
  if (v === undefined || v === null) return null;
  const o = obj(v, 'AnyValue');
  if ('stringValue' in o) return str(o.stringValue, 'stringValue');
  if ('boolValue' in o) {
    if (typeof o.boolValue !== 'boolean') throw new MalformedInput('boolValue must be a boolean');
    return o.boolValue;
  }
  if ('intValue' in o) return exactInt64(o.intValue, 'intValue');
  if ('doubleValue' in o) return double(o.doubleValue, 'doubleValue') ?? null;
  if ('bytesValue' in o) return str(o.bytesValue, 'bytesValue');
  if ('arrayValue' in o) {
    if (depth >= MAX_DEPTH) return noteTooDeep();
    return list(obj(o.arrayValue, 'arrayValue').values, 'arrayValue.values').map((x) => valueTree(x, depth + 1));
  }
  if ('kvlistValue' in o) {
    if (depth >= MAX_DEPTH) return noteTooDeep();
    const map: { [key: string]: ValueTree } = {};
    for (const kv of list(obj(o.kvlistValue, 'kvlistValue').values, 'kvlistValue.values')) {
      const e = obj(kv, 'kvlistValue entry');
      map[str(e.key, 'kvlistValue key')] = valueTree(e.value, depth + 1);
    }
    return map;
  }
  return null;
}

function attributes(v: unknown, into: AttributeMap = {}): AttributeMap {
  for (const kv of list(v, 'attributes')) {
    const o = obj(kv, 'attribute');
    into[str(o.key, 'attribute key')] = anyValue(o.value);
  }
  return into;
}

function ms(v: unknown, what: string): number {
  return int64(v, what) / NS_PER_MS;
}

function group<T>(resourceField: unknown): ResourceGroup<T> {
  const resource = attributes(resourceField === undefined || resourceField === null ? undefined : obj(resourceField, 'resource').attributes);
  return { ...describeResource(resource), resource, items: [] };
}

/** Decodes an ExportTraceServiceRequest in JSON. */
export function decodeTracesJson(text: string): DecodedTraces {
  const out = emptyDecoded<SpanRecord>();
  for (const rs of list(parse(text).resourceSpans, 'resourceSpans')) {
    const r = obj(rs, 'resourceSpans[]');
    const g = group<SpanRecord>(r.resource);
    for (const ss of list(r.scopeSpans, 'scopeSpans')) {
      const s = obj(ss, 'scopeSpans[]');
      const scope = s.scope === undefined || s.scope === null ? {} : obj(s.scope, 'scope');
      const scopeName = str(scope.name, 'scope.name');
      const scopeVersion = str(scope.version, 'scope.version') || undefined;
      for (const sp of list(s.spans, 'spans')) {
        const span = jsonSpan(obj(sp, 'span'), scopeName, scopeVersion);
        keepOrReject(out, g, span, spanRejection(span));
      }
    }
    if (g.items.length > 0) out.groups.push(g);
  }
  return out;
}

function jsonSpan(o: Json, scopeName: string, scopeVersion: string | undefined): SpanRecord {
  const status = o.status === undefined || o.status === null ? {} : obj(o.status, 'status');
  return {
    traceId: hexId(o.traceId, 16, 'traceId', false),
    spanId: hexId(o.spanId, 8, 'spanId', false),
    parentSpanId: hexId(o.parentSpanId, 8, 'parentSpanId', true) || undefined,
    traceState: str(o.traceState, 'traceState') || undefined,
    name: str(o.name, 'name'),
    kind: enumValue(o.kind, SPAN_KINDS, 'kind') as OtlpSpanKind,
    startMs: ms(o.startTimeUnixNano, 'startTimeUnixNano'),
    endMs: ms(o.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: attributes(o.attributes),
    events: o.events === undefined ? undefined : list(o.events, 'events').map((e) => jsonEvent(obj(e, 'event'))),
    links: o.links === undefined ? undefined : list(o.links, 'links').map((l) => jsonLink(obj(l, 'link'))),
    statusCode: enumValue(status.code, STATUS_CODES, 'status.code') as 0 | 1 | 2,
    statusMessage: str(status.message, 'status.message') || undefined,
    droppedAttributes: int64(o.droppedAttributesCount, 'droppedAttributesCount'),
    droppedEvents: int64(o.droppedEventsCount, 'droppedEventsCount'),
    scopeName,
    scopeVersion,
  };
}

function jsonEvent(o: Json): EventRecord {
  return { name: str(o.name, 'event.name'), timeMs: ms(o.timeUnixNano, 'event.timeUnixNano'), attributes: o.attributes === undefined ? undefined : attributes(o.attributes) };
}

function jsonLink(o: Json): LinkRecord {
  return {
    traceId: hexId(o.traceId, 16, 'link.traceId', false),
    spanId: hexId(o.spanId, 8, 'link.spanId', false),
    traceState: str(o.traceState, 'link.traceState') || undefined,
    attributes: o.attributes === undefined ? undefined : attributes(o.attributes),
  };
}

const METRIC_FIELDS: [string, MetricKind][] = [['gauge', 'gauge'], ['sum', 'sum'], ['histogram', 'histogram'], ['exponentialHistogram', 'exponential_histogram'], ['summary', 'summary']];

/** Decodes an ExportMetricsServiceRequest in JSON. */
export function decodeMetricsJson(text: string): DecodedMetrics {
  const out = emptyDecoded<MetricPointIn>();
  for (const rm of list(parse(text).resourceMetrics, 'resourceMetrics')) {
    const r = obj(rm, 'resourceMetrics[]');
    const g = group<MetricPointIn>(r.resource);
    for (const sm of list(r.scopeMetrics, 'scopeMetrics')) {
      for (const m of list(obj(sm, 'scopeMetrics[]').metrics, 'metrics')) {
        const metric = obj(m, 'metric');
        for (const [field, kind] of METRIC_FIELDS) {
          if (metric[field] === undefined || metric[field] === null) continue;
          const body = obj(metric[field], field);
          const temporality = enumValue(body.aggregationTemporality, TEMPORALITIES, 'aggregationTemporality') as 0 | 1 | 2;
          for (const p of list(body.dataPoints, 'dataPoints')) {
            const point = jsonPoint(obj(p, 'dataPoint'), kind, str(metric.name, 'metric.name'), str(metric.unit, 'metric.unit'), temporality, body.isMonotonic === true);
            keepOrReject(out, g, point, pointRejection(point));
          }
        }
      }
    }
    if (g.items.length > 0) out.groups.push(g);
  }
  return out;
}

function jsonPoint(o: Json, kind: MetricKind, name: string, unit: string, temporality: 0 | 1 | 2, monotonic: boolean): MetricPointIn {
  const value = o.asDouble !== undefined ? double(o.asDouble, 'asDouble') : o.asInt !== undefined ? int64(o.asInt, 'asInt') : undefined;
  const point: MetricPointIn = {
    name, unit, kind, temporality, monotonic,
    attributes: attributes(o.attributes),
    startMs: ms(o.startTimeUnixNano, 'startTimeUnixNano'),
    timeMs: ms(o.timeUnixNano, 'timeUnixNano'),
    value: kind === 'gauge' || kind === 'sum' ? value : undefined,
    count: o.count === undefined ? undefined : int64(o.count, 'count'),
    sum: double(o.sum, 'sum'),
    min: double(o.min, 'min'),
    max: double(o.max, 'max'),
    bounds: undefined,
    counts: undefined,
  };
  if (kind === 'histogram') {
    point.bounds = list(o.explicitBounds, 'explicitBounds').map((b) => double(b, 'explicitBounds[]') ?? 0);
    point.counts = list(o.bucketCounts, 'bucketCounts').map((c) => int64(c, 'bucketCounts[]'));
    if (point.counts.length !== 0 && point.counts.length !== point.bounds.length + 1) {
      throw new MalformedInput(`histogram ${name} has ${point.counts.length} bucket counts for ${point.bounds.length} bounds`);
    }
  }
  return point;
}

/** Decodes an ExportLogsServiceRequest in JSON. */
export function decodeLogsJson(text: string): DecodedLogs {
  const out = emptyDecoded<LogRecordIn>();
  for (const rl of list(parse(text).resourceLogs, 'resourceLogs')) {
    const r = obj(rl, 'resourceLogs[]');
    const g = group<LogRecordIn>(r.resource);
    for (const sl of list(r.scopeLogs, 'scopeLogs')) {
      for (const lr of list(obj(sl, 'scopeLogs[]').logRecords, 'logRecords')) {
        const o = obj(lr, 'logRecord');
        const body = anyValue(o.body);
        const rec: LogRecordIn = {
          timeMs: ms(o.timeUnixNano, 'timeUnixNano') || ms(o.observedTimeUnixNano, 'observedTimeUnixNano'),
          severityNumber: int64(o.severityNumber, 'severityNumber'),
          severityText: str(o.severityText, 'severityText'),
          body: typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body),
          attributes: attributes(o.attributes),
          traceId: hexId(o.traceId, 16, 'traceId', true),
          spanId: hexId(o.spanId, 8, 'spanId', true),
          eventName: str(o.eventName, 'eventName'),
        };
        keepOrReject(out, g, rec, logRejection(rec));
      }
    }
    if (g.items.length > 0) out.groups.push(g);
  }
  return out;
}
