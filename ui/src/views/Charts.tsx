/** Request rate with error rate, and latency percentiles, over the window. */
import { useMemo } from 'preact/hooks';
import * as fmt from '../lib/format';
import type { Series } from '../lib/types';
import { TimeChart, type AxisDef, type LineDef } from './TimeChart';

interface Props {
  series: Series;
  ink: { text: string; grid: string; rate: string; error: string; p50: string; p95: string; p99: string };
  /** A range dragged out on either chart (epoch ms), and a double-click back to the window. */
  onRange?(fromMs: number, toMs: number): void;
  onReset?(): void;
}

export function Charts({ series, ink, onRange, onReset }: Props) {
  const traffic = useMemo(() => {
    const pts = series.points;
    return [pts.map((p) => p.timeMs / 1000), pts.map((p) => p.requestRate), pts.map((p) => (p.requestRate > 0 ? p.errorRate * 100 : null))];
  }, [series]);
  const latency = useMemo(() => {
    const pts = series.points;
    return [pts.map((p) => p.timeMs / 1000), pts.map((p) => p.p50Ms), pts.map((p) => p.p95Ms), pts.map((p) => p.p99Ms)];
  }, [series]);
  const trafficLines: LineDef[] = [
    { label: 'requests/s', color: ink.rate, scale: 'rps', format: fmt.rate },
    { label: 'error %', color: ink.error, scale: 'pct', dash: [4, 4], format: fmt.pct },
  ];
  const trafficAxes: AxisDef[] = [
    { scale: 'rps', side: 'left', format: (v) => fmt.rate(v) },
    { scale: 'pct', side: 'right', format: (v) => `${+v.toFixed(1)}%` },
  ];
  const latencyLines: LineDef[] = [
    { label: 'p50', color: ink.p50, scale: 'ms', format: fmt.ms },
    { label: 'p95', color: ink.p95, scale: 'ms', format: fmt.ms },
    { label: 'p99', color: ink.p99, scale: 'ms', format: fmt.ms },
  ];
  const latencyAxes: AxisDef[] = [{ scale: 'ms', side: 'left', format: (v) => fmt.ms(v) }];
  const axisInk = { text: ink.text, grid: ink.grid };
  return (
    <section class="charts" aria-label="charts">
      <TimeChart id="chart-traffic" title={`Request rate and error rate (${series.stepMs / 1000} s steps)`} lines={trafficLines} axes={trafficAxes} data={traffic} ink={axisInk} onRange={onRange} onReset={onReset} />
      <TimeChart id="chart-latency" title="Latency percentiles" lines={latencyLines} axes={latencyAxes} data={latency} ink={axisInk} onRange={onRange} onReset={onReset} />
    </section>
  );
}
