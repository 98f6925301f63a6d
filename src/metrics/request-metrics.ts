/**
 * RED metrics per (method, route, status), counted for every finished request whatever the
 * sampling decision (docs/architecture.md, "Metrics do not depend on sampling"): `http.server.request.duration` as a histogram in
 * seconds. Beside it, per series, what the requests spent their time on: queries, database
 * time, outgoing calls, outgoing time, and how many were flagged N+1 (`tracekit.request.*`
 * sums). The number of series is capped; requests beyond the cap are counted in one series
 * marked `otel.metric.overflow=true`, so a route-less app with hostile paths cannot grow it.
 */
import type { MetricRecord, NumberPoint } from '../otlp/types';
import type { RequestState } from '../instrumentations/request-state';
import { REQUEST_METRICS } from '../shared/contract';
import { HistogramAccumulator } from './histogram';

export const MAX_SERIES = 2000;

/** The work sums kept per series, and how each is exported. */
const WORK_METRICS = [
  { key: 'dbCount', name: REQUEST_METRICS.dbQueries, unit: '{query}', description: 'Queries made by requests.', seconds: false },
  { key: 'dbMs', name: REQUEST_METRICS.dbDuration, unit: 's', description: 'Time requests spent in queries (summed over concurrent queries).', seconds: true },
  { key: 'outgoingCount', name: REQUEST_METRICS.outgoingCalls, unit: '{call}', description: 'Outgoing HTTP calls made by requests.', seconds: false },
  { key: 'outgoingMs', name: REQUEST_METRICS.outgoingDuration, unit: 's', description: 'Time requests spent in outgoing HTTP calls.', seconds: true },
  { key: 'nPlusOne', name: REQUEST_METRICS.nPlusOne, unit: '{request}', description: 'Requests in which one query template repeated at least the N+1 threshold.', seconds: false },
] as const;

type WorkKey = (typeof WORK_METRICS)[number]['key'];

/** One series: the latency histogram and the work sums. */
class Series {
  readonly histogram: HistogramAccumulator;
  readonly work: Record<WorkKey, number> = { dbCount: 0, dbMs: 0, outgoingCount: 0, outgoingMs: 0, nPlusOne: 0 };
  used = false;

  constructor(
    readonly method: string,
    readonly status: number,
    readonly attributes: Record<string, string | number | boolean>,
  ) {
    this.histogram = new HistogramAccumulator(attributes);
  }

  record(state: RequestState): void {
    this.histogram.record((state.endMs - state.startMs) / 1000);
    if (state.dbCount === 0 && state.outgoingCount === 0) return;
    const w = this.work;
    w.dbCount += state.dbCount;
    w.dbMs += state.dbMs;
    w.outgoingCount += state.outgoingCount;
    w.outgoingMs += state.outgoingMs;
    if (state.nPlusOne !== undefined) w.nPlusOne++;
    this.used = true;
  }
}

export class RequestMetrics {
  /**
   * Series by route, then a short list per route scanned for (method, status). Route strings
   * come from the framework's template cache and methods from the HTTP parser's table, so the
   * lookup hashes a string it has hashed before, rather than building a key per request.
   */
  private byRoute = new Map<string, Series[]>();
  private count = 0;
  private overflowSeries: Series | undefined = undefined;
  private startMs: number;

  constructor(
    private readonly temporality: 'delta' | 'cumulative',
    now: number,
  ) {
    this.startMs = now;
  }

  /** Records one finished request. */
  record(state: RequestState): void {
    const route = state.route;
    const method = state.method;
    const status = state.statusCode;
    let list = this.byRoute.get(route ?? '');
    let acc: Series | undefined;
    if (list !== undefined) {
      for (let i = 0; i < list.length; i++) {
        const s = list[i];
        if (s.status === status && s.method === method) {
          acc = s;
          break;
        }
      }
    }
    if (acc === undefined) {
      if (this.count >= MAX_SERIES) {
        acc = this.overflowSeries ??= new Series('', 0, { 'otel.metric.overflow': true });
      } else {
        const attributes: Record<string, string | number | boolean> = { 'http.request.method': method };
        if (status !== 0) attributes['http.response.status_code'] = status;
        if (route !== undefined) attributes['http.route'] = route;
        if (status >= 500) attributes['error.type'] = String(status);
        acc = new Series(method, status, attributes);
        if (list === undefined) this.byRoute.set(route ?? '', (list = []));
        list.push(acc);
        this.count++;
      }
    }
    acc.record(state);
  }

  private *allSeries(): Iterable<Series> {
    for (const list of this.byRoute.values()) yield* list;
    if (this.overflowSeries !== undefined) yield this.overflowSeries;
  }

  /** The metrics since the last collection (delta) or since start (cumulative). */
  collect(now: number): MetricRecord[] {
    const points = [];
    const work: NumberPoint[][] = WORK_METRICS.map(() => []);
    for (const series of this.allSeries()) {
      points.push(series.histogram.point(this.startMs, now));
      if (!series.used) continue;
      WORK_METRICS.forEach((m, i) => {
        const value = series.work[m.key];
        work[i].push({ attributes: series.attributes, startMs: this.startMs, timeMs: now, value: m.seconds ? value / 1000 : value, isInt: !m.seconds });
      });
    }
    if (this.temporality === 'delta') {
      this.byRoute = new Map();
      this.count = 0;
      this.overflowSeries = undefined;
      this.startMs = now;
    }
    if (points.length === 0) return [];
    const sums: MetricRecord[] = [];
    WORK_METRICS.forEach((m, i) => {
      if (work[i].length > 0) sums.push({ name: m.name, description: m.description, unit: m.unit, type: 'sum', temporality: this.temporality, monotonic: true, points: work[i] });
    });
    return [
      ...sums,
      {
        name: REQUEST_METRICS.duration,
        description: 'Duration of HTTP server requests.',
        unit: 's',
        type: 'histogram',
        temporality: this.temporality,
        points,
      },
    ];
  }
}
