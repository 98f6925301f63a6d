/**
 * RED metrics per (method, route, status), counted for every finished request whatever the
 * sampling decision (DESIGN decision 7): `http.server.request.duration` as a histogram in
 * seconds. The number of series is capped; requests beyond the cap are counted in one series
 * marked `otel.metric.overflow=true`, so a route-less app with hostile paths cannot grow it.
 */
import type { MetricRecord } from '../otlp/types';
import type { RequestState } from '../instrumentations/request-state';
import { HistogramAccumulator } from './histogram';

export const MAX_SERIES = 2000;

export class RequestMetrics {
  private series = new Map<string, HistogramAccumulator>();
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
    const status = state.statusCode;
    const key = `${state.method} ${status} ${route ?? ''}`;
    let acc = this.series.get(key);
    if (acc === undefined) {
      if (this.series.size >= MAX_SERIES) {
        acc = this.overflow();
      } else {
        const attributes: Record<string, string | number | boolean> = { 'http.request.method': state.method };
        if (status !== 0) attributes['http.response.status_code'] = status;
        if (route !== undefined) attributes['http.route'] = route;
        if (status >= 500) attributes['error.type'] = String(status);
        acc = new HistogramAccumulator(attributes);
        this.series.set(key, acc);
      }
    }
    acc.record((state.endMs - state.startMs) / 1000);
  }

  private overflow(): HistogramAccumulator {
    let acc = this.series.get('\0overflow');
    if (acc === undefined) {
      acc = new HistogramAccumulator({ 'otel.metric.overflow': true });
      this.series.set('\0overflow', acc);
    }
    return acc;
  }

  /** The metrics since the last collection (delta) or since start (cumulative). */
  collect(now: number): MetricRecord[] {
    const points = [];
    for (const acc of this.series.values()) points.push(acc.point(this.startMs, now));
    if (this.temporality === 'delta') {
      this.series = new Map();
      this.startMs = now;
    }
    if (points.length === 0) return [];
    return [
      {
        name: 'http.server.request.duration',
        description: 'Duration of HTTP server requests.',
        unit: 's',
        type: 'histogram',
        temporality: this.temporality,
        points,
      },
    ];
  }
}
