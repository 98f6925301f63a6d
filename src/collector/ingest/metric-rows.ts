/**
 * Turns decoded metric points into stored rows: deltas for sums and histograms (see
 * {@link CumulativeToDelta}), gauges as they are (an up-down counter is a gauge here), and the
 * HTTP attributes the routes view groups on pulled into columns.
 */
import type { AttributeValue } from '../../otlp/types';
import type { DecodedMetrics, MetricKind } from '../otlp/model';
import type { BucketRow, MetricRow } from '../store/rows';
import { CumulativeToDelta } from './cumulative-to-delta';

const KIND_CODE: Record<MetricKind, number> = { gauge: 0, sum: 1, histogram: 2, exponential_histogram: 3, summary: 4 };
const CUMULATIVE = 2;

function str(v: AttributeValue): string | null {
  return v === undefined || v === null ? null : String(v);
}

function num(v: AttributeValue): number | null {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** Rows for a decoded metrics request. */
export function metricRows(decoded: DecodedMetrics, deltas: CumulativeToDelta): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const g of decoded.groups) {
    for (const p of g.items) {
      const attributes = JSON.stringify(p.attributes);
      let kind = KIND_CODE[p.kind];
      if (p.kind === 'sum' && !p.monotonic && p.temporality === CUMULATIVE) kind = KIND_CODE.gauge;
      else if (p.temporality === CUMULATIVE && (p.kind === 'sum' || p.kind === 'histogram' || p.kind === 'exponential_histogram')) {
        if (!deltas.toDelta(`${g.service}\0${g.instance}\0${p.name}\0${p.kind}\0${attributes}`, p)) continue;
      }
      const a = p.attributes;
      rows.push({
        service: g.service,
        instance: g.instance,
        name: p.name,
        kind,
        startUs: Math.round(p.startMs * 1000),
        timeUs: Math.round(p.timeMs * 1000),
        route: str(a['http.route']),
        method: str(a['http.request.method']) ?? str(a['http.method']),
        httpStatus: num(a['http.response.status_code']) ?? num(a['http.status_code']),
        attributes,
        value: p.value ?? null,
        count: p.count ?? null,
        sum: p.sum ?? null,
        min: p.min ?? null,
        max: p.max ?? null,
        bounds: p.bounds ?? null,
        counts: p.counts ?? null,
      });
    }
  }
  return rows;
}

/** The non-zero buckets of every explicit-bucket histogram row, one row each. */
export function bucketRows(rows: MetricRow[]): BucketRow[] {
  const out: BucketRow[] = [];
  for (const m of rows) {
    if (m.counts === null) continue;
    for (let i = 0; i < m.counts.length; i++) {
      const count = m.counts[i];
      if (count > 0) out.push({ service: m.service, name: m.name, route: m.route, method: m.method, httpStatus: m.httpStatus, timeUs: m.timeUs, bucket: i, count });
    }
  }
  return out;
}
