/**
 * Decodes `ExportMetricsServiceRequest` protobuf (opentelemetry/proto/metrics/v1) into flat
 * {@link MetricPointIn} records: gauges, sums, explicit and exponential histograms (the
 * latter keep count, sum, min and max), and summaries (count and sum).
 */
import type { DecodedMetrics, MetricKind, MetricPointIn, ResourceGroup } from './model';
import { readExportRequest, readKeyValueInto } from './proto-common';
import { MalformedInput, ProtoReader, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './proto-reader';
import { keepOrReject, pointRejection } from './validate';

const NS_PER_MS = 1e6;

/** Decodes a whole request; throws MalformedInput when any part is not well-formed. */
export function decodeMetricsProto(body: Buffer): DecodedMetrics {
  return readExportRequest<MetricPointIn>(body, { resources: 'resource_metrics', scopes: 'scope_metrics' }, (s, group, out) => {
    while (s.more()) {
      const tag = s.tag();
      if (tag >>> 3 === 2) { s.expect(tag & 7, WIRE_LEN, 'ScopeMetrics.metrics'); readMetric(s.message(), group, out); }
      else s.skip(tag & 7);
    }
  });
}

interface MetricHead { name: string; unit: string }

function readMetric(r: ProtoReader, group: ResourceGroup<MetricPointIn>, out: DecodedMetrics): void {
  const head: MetricHead = { name: '', unit: '' };
  const bodies: [MetricKind, ProtoReader][] = [];
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    switch (tag >>> 3) {
      case 1: r.expect(wire, WIRE_LEN, 'Metric.name'); head.name = r.string(); break;
      case 3: r.expect(wire, WIRE_LEN, 'Metric.unit'); head.unit = r.string(); break;
      case 5: r.expect(wire, WIRE_LEN, 'Metric.gauge'); bodies.push(['gauge', r.message()]); break;
      case 7: r.expect(wire, WIRE_LEN, 'Metric.sum'); bodies.push(['sum', r.message()]); break;
      case 9: r.expect(wire, WIRE_LEN, 'Metric.histogram'); bodies.push(['histogram', r.message()]); break;
      case 10: r.expect(wire, WIRE_LEN, 'Metric.exponential_histogram'); bodies.push(['exponential_histogram', r.message()]); break;
      case 11: r.expect(wire, WIRE_LEN, 'Metric.summary'); bodies.push(['summary', r.message()]); break;
      default: r.skip(wire);
    }
  }
  for (const [kind, body] of bodies) readMetricBody(kind, body, head, group, out);
}

function readMetricBody(kind: MetricKind, r: ProtoReader, head: MetricHead, group: ResourceGroup<MetricPointIn>, out: DecodedMetrics): void {
  let temporality: 0 | 1 | 2 = 0;
  let monotonic = false;
  const points: ProtoReader[] = [];
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === 1) { r.expect(wire, WIRE_LEN, `${kind}.data_points`); points.push(r.message()); }
    else if (field === 2 && kind !== 'gauge' && kind !== 'summary') {
      r.expect(wire, WIRE_VARINT, `${kind}.aggregation_temporality`);
      const t = r.varint();
      if (t > 2) throw new MalformedInput(`aggregation temporality ${t} is not an OTLP value`);
      temporality = t as 0 | 1 | 2;
    } else if (field === 3 && kind === 'sum') { r.expect(wire, WIRE_VARINT, 'Sum.is_monotonic'); monotonic = r.varint() !== 0; }
    else r.skip(wire);
  }
  for (const p of points) {
    const point = readPoint(kind, p, head, temporality, monotonic);
    keepOrReject(out, group, point, pointRejection(point));
  }
}

/** Field numbers that differ between the point types (attributes, count, sum, min, max). */
const LAYOUT: Record<MetricKind, { attributes: number; count: number; sum: number; min: number; max: number }> = {
  gauge: { attributes: 7, count: 0, sum: 0, min: 0, max: 0 },
  sum: { attributes: 7, count: 0, sum: 0, min: 0, max: 0 },
  histogram: { attributes: 9, count: 4, sum: 5, min: 11, max: 12 },
  exponential_histogram: { attributes: 1, count: 4, sum: 5, min: 12, max: 13 },
  summary: { attributes: 7, count: 4, sum: 5, min: 0, max: 0 },
};

function readPoint(kind: MetricKind, r: ProtoReader, head: MetricHead, temporality: 0 | 1 | 2, monotonic: boolean): MetricPointIn {
  const layout = LAYOUT[kind];
  const numberPoint = kind === 'gauge' || kind === 'sum';
  const point: MetricPointIn = {
    name: head.name, unit: head.unit, kind, temporality, monotonic, attributes: {}, startMs: 0, timeMs: 0,
    value: undefined, count: undefined, sum: undefined, min: undefined, max: undefined, bounds: undefined, counts: undefined,
  };
  while (r.more()) {
    const tag = r.tag();
    const wire = tag & 7;
    const field = tag >>> 3;
    if (field === layout.attributes) { r.expect(wire, WIRE_LEN, 'point.attributes'); readKeyValueInto(r.message(), point.attributes); }
    else if (field === 2) { r.expect(wire, WIRE_I64, 'point.start_time_unix_nano'); point.startMs = r.fixed64() / NS_PER_MS; }
    else if (field === 3) { r.expect(wire, WIRE_I64, 'point.time_unix_nano'); point.timeMs = r.fixed64() / NS_PER_MS; }
    else if (numberPoint && field === 4) { r.expect(wire, WIRE_I64, 'point.as_double'); point.value = r.double(); }
    else if (numberPoint && field === 6) { r.expect(wire, WIRE_I64, 'point.as_int'); point.value = Number(r.sfixed64()); }
    else if (field === layout.count) { r.expect(wire, WIRE_I64, 'point.count'); point.count = r.fixed64(); }
    else if (field === layout.sum) { r.expect(wire, WIRE_I64, 'point.sum'); point.sum = r.double(); }
    else if (field === layout.min) { r.expect(wire, WIRE_I64, 'point.min'); point.min = r.double(); }
    else if (field === layout.max) { r.expect(wire, WIRE_I64, 'point.max'); point.max = r.double(); }
    else if (kind === 'histogram' && field === 6) r.packed64(wire, (point.counts ??= []), (x) => x.fixed64());
    else if (kind === 'histogram' && field === 7) r.packed64(wire, (point.bounds ??= []), (x) => x.double());
    else r.skip(wire);
  }
  if (kind === 'histogram') {
    point.bounds ??= [];
    point.counts ??= [];
    if (point.counts.length !== 0 && point.counts.length !== point.bounds.length + 1) {
      throw new MalformedInput(`histogram ${head.name} has ${point.counts.length} bucket counts for ${point.bounds.length} bounds`);
    }
  }
  return point;
}
