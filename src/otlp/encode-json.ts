/**
 * OTLP/JSON encoding (the protobuf JSON mapping with OTLP's exceptions: hex trace and span
 * ids, enums as integers, 64-bit integers as decimal strings).
 */
import { epochMsToNs } from './time';
import { traceIdHex, wordsToHex } from '../tracer/id-hex';
import type { AttributeMap, AttributeValue, HistogramPoint, LogRecord, MetricRecord, NumberPoint, Resource, SpanRecord } from './types';

type JsonAny =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: JsonAny[] } };

function anyValue(v: AttributeValue): JsonAny {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(anyValue) } };
  return { stringValue: String(v) };
}

function attrs(a: AttributeMap | undefined): { key: string; value: JsonAny }[] {
  const out: { key: string; value: JsonAny }[] = [];
  if (a === undefined) return out;
  for (const key in a) {
    const value = a[key];
    if (value !== undefined && value !== null) out.push({ key, value: anyValue(value) });
  }
  return out;
}

const nsString = (ms: number): string => epochMsToNs(ms).toString();

/** One span in the OTLP/JSON mapping, ready for JSON.stringify. */
export function spanJson(s: SpanRecord): object {
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    traceState: s.traceState,
    parentSpanId: s.parentSpanId,
    name: s.name,
    kind: s.kind,
    startTimeUnixNano: nsString(s.startMs),
    endTimeUnixNano: nsString(s.endMs),
    attributes: attrs(s.attributes),
    droppedAttributesCount: s.droppedAttributes || undefined,
    events: (s.events ?? []).map((e) => ({ timeUnixNano: nsString(e.timeMs), name: e.name, attributes: attrs(e.attributes) })),
    droppedEventsCount: s.droppedEvents || undefined,
    links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, traceState: l.traceState, attributes: attrs(l.attributes) })),
    status: { code: s.statusCode, message: s.statusMessage },
  };
}

/** The Resource message in the OTLP/JSON mapping. */
export function resourceJson(res: Resource): object {
  return { attributes: attrs(res.attributes) };
}

function numberPoint(p: NumberPoint): object {
  return {
    attributes: attrs(p.attributes),
    startTimeUnixNano: nsString(p.startMs),
    timeUnixNano: nsString(p.timeMs),
    ...(p.isInt ? { asInt: String(Math.round(p.value)) } : { asDouble: p.value }),
  };
}

function histogramPoint(p: HistogramPoint): object {
  return {
    attributes: attrs(p.attributes),
    startTimeUnixNano: nsString(p.startMs),
    timeUnixNano: nsString(p.timeMs),
    count: String(p.count),
    sum: p.sum,
    bucketCounts: p.counts.map(String),
    explicitBounds: p.bounds,
    ...(p.count > 0 ? { min: p.min, max: p.max } : {}),
  };
}

const TEMPORALITY = { delta: 1, cumulative: 2 } as const;

/** Encodes an ExportMetricsServiceRequest as OTLP/JSON. */
export function encodeMetricsJson(res: Resource, scope: { name: string; version?: string }, metrics: MetricRecord[]): string {
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: attrs(res.attributes) },
        scopeMetrics: [
          {
            scope,
            metrics: metrics.map((m) => {
              const base = { name: m.name, description: m.description, unit: m.unit };
              if (m.type === 'gauge') return { ...base, gauge: { dataPoints: m.points.map(numberPoint) } };
              if (m.type === 'sum')
                return { ...base, sum: { dataPoints: m.points.map(numberPoint), aggregationTemporality: TEMPORALITY[m.temporality], isMonotonic: m.monotonic } };
              return { ...base, histogram: { dataPoints: m.points.map(histogramPoint), aggregationTemporality: TEMPORALITY[m.temporality] } };
            }),
          },
        ],
      },
    ],
  });
}

/** Encodes an ExportLogsServiceRequest as OTLP/JSON. */
export function encodeLogsJson(res: Resource, scope: { name: string; version?: string }, records: LogRecord[]): string {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: attrs(res.attributes) },
        scopeLogs: [
          {
            scope,
            logRecords: records.map(logRecordJson),
          },
        ],
      },
    ],
  });
}

/** One log record in the OTLP/JSON mapping, ready for JSON.stringify. */
export function logRecordJson(r: LogRecord): object {
  return {
    timeUnixNano: nsString(r.timeMs),
    observedTimeUnixNano: nsString(r.timeMs),
    severityNumber: r.severityNumber || undefined,
    severityText: r.severityText || undefined,
    body: anyValue(r.body),
    attributes: attrs(r.attributes),
    traceId: (r.idWords !== undefined ? traceIdHex(r.idWords) : r.traceId) || undefined,
    spanId: (r.idWords !== undefined ? wordsToHex(r.idWords.s0, r.idWords.s1) : r.spanId) || undefined,
    eventName: r.eventName || undefined,
  };
}
