/**
 * The Runtime view: each process's CPU, memory (RSS and V8 heap), event-loop delay and
 * event-loop utilisation over the window, one line per process, and a table of their latest
 * values. A process is a service instance; with all services selected, lines are labelled
 * "service · instance".
 */
import { useEffect, useMemo } from 'preact/hooks';
import { markReady } from '../lib/debug';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import type { RuntimeSeries } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';
import { TimeChart, type AxisDef, type LineDef } from './TimeChart';

interface Props {
  state: UrlState;
  ink: { text: string; grid: string };
  onChange(patch: Partial<UrlState>): void;
  onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void;
}

/** Line colours, one per process, readable on the light and the dark background. */
const PALETTE = ['#2f6fde', '#e08a00', '#2e9e5b', '#b04fc4', '#d32f2f', '#0f9fb0', '#8a6d3b', '#7a7f87'];

const CPU = 'process.cpu.utilization';
const RSS = 'process.memory.usage';
const HEAP_USED = 'v8js.memory.heap.used';
const HEAP_LIMIT = 'v8js.memory.heap.limit';
const ELU = 'nodejs.eventloop.utilization';
const DELAY_P50 = 'nodejs.eventloop.delay.p50';
const DELAY_P99 = 'nodejs.eventloop.delay.p99';

/** A chart: which gauges it draws per process (the first solid, the rest dashed), scaled for display. */
interface ChartDef { id: string; title: string; gauges: { name: string; suffix: string }[]; scale: number; format(v: number | null): string }

const CHARTS: ChartDef[] = [
  { id: 'chart-cpu', title: 'CPU (share of all cores)', gauges: [{ name: CPU, suffix: '' }], scale: 100, format: fmt.pct },
  { id: 'chart-memory', title: 'Memory: RSS, and V8 heap used (dashed)', gauges: [{ name: RSS, suffix: ' RSS' }, { name: HEAP_USED, suffix: ' heap' }], scale: 1, format: fmt.bytes },
  { id: 'chart-delay', title: 'Event-loop delay: p99, and p50 (dashed)', gauges: [{ name: DELAY_P99, suffix: ' p99' }, { name: DELAY_P50, suffix: ' p50' }], scale: 1000, format: fmt.ms },
  { id: 'chart-elu', title: 'Event-loop utilisation', gauges: [{ name: ELU, suffix: '' }], scale: 100, format: fmt.pct },
];

/** The latest value of a gauge, or null. */
function latest(values: (number | null)[] | undefined): number | null {
  if (values === undefined) return null;
  for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
  return null;
}

export function RuntimeView({ state, ink, onChange, onStatus }: Props) {
  const polled = usePoll(() => api<RuntimeSeries>('runtime', scopeParams(state)), [state.service, state.window, state.from, state.to], 5000);
  useEffect(() => onStatus({ updatedMs: polled.updatedMs, error: polled.error }), [polled.updatedMs, polled.error]);
  useEffect(() => {
    if (polled.data !== undefined) markReady();
  }, [polled.data]);
  const d = polled.data;
  const showService = state.service === '';
  const name = (p: RuntimeSeries['processes'][number]): string => (showService ? `${p.service} · ${p.instance}` : p.instance);
  const charts = useMemo(() => {
    if (d === undefined) return [];
    const xs = d.timesMs.map((t) => t / 1000);
    return CHARTS.map((c) => {
      const lines: LineDef[] = [];
      const data: (number | null)[][] = [xs];
      d.processes.forEach((p, i) => {
        c.gauges.forEach((g, j) => {
          lines.push({ label: name(p) + g.suffix, color: PALETTE[i % PALETTE.length], scale: 'y', dash: j === 0 ? undefined : [4, 4], format: c.format });
          data.push((p.gauges[g.name] ?? xs.map(() => null)).map((v) => (v === null ? null : v * c.scale)));
        });
      });
      const axes: AxisDef[] = [{ scale: 'y', side: 'left', format: (v) => c.format(v) }];
      return { def: c, lines, data, axes };
    });
  }, [d, showService]);

  if (d === undefined) return <p class="panel muted">{polled.error ? polled.error.message : 'Loading…'}</p>;
  return (
    <div class="runtime-view">
      <section class="panel" id="processes" aria-label="processes">
        <h2>Processes</h2>
        {d.processes.length === 0 ? (
          <p class="empty" id="no-runtime">No runtime metrics{state.service !== '' ? ` from ${state.service}` : ''} in this window (the agent sends them every metrics interval).</p>
        ) : (
          <div class="scroll">
            <table class="data processes">
              <thead>
                <tr>
                  <th />
                  <th>service</th>
                  <th>instance</th>
                  <th class="num" title="latest CPU, share of all cores">CPU</th>
                  <th class="num" title="latest resident set size">RSS</th>
                  <th class="num" title="latest V8 heap in use, of its current size">heap</th>
                  <th class="num" title="latest event-loop utilisation">loop busy</th>
                  <th class="num" title="latest event-loop delay, 99th percentile">loop delay p99</th>
                </tr>
              </thead>
              <tbody>
                {d.processes.map((p, i) => {
                  const cpu = latest(p.gauges[CPU]);
                  const elu = latest(p.gauges[ELU]);
                  const delay = latest(p.gauges[DELAY_P99]);
                  return (
                    <tr key={`${p.service} ${p.instance}`} data-instance={p.instance}>
                      <td><span class="swatch" style={{ background: PALETTE[i % PALETTE.length] }} /></td>
                      <td>{p.service}</td>
                      <td class="mono">{p.instance}</td>
                      <td class="num" data-col="cpu" data-value={cpu ?? ''}>{fmt.pct(cpu === null ? null : cpu * 100)}</td>
                      <td class="num" data-col="rss" data-value={latest(p.gauges[RSS]) ?? ''}>{fmt.bytes(latest(p.gauges[RSS]))}</td>
                      <td class="num" data-col="heap">{fmt.bytes(latest(p.gauges[HEAP_USED]))} / {fmt.bytes(latest(p.gauges[HEAP_LIMIT]))}</td>
                      <td class="num" data-col="elu">{fmt.pct(elu === null ? null : elu * 100)}</td>
                      <td class="num" data-col="delay">{fmt.ms(delay === null ? null : delay * 1000)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {d.processes.length > 0 && (
        <section class="charts runtime-charts" aria-label="runtime charts">
          {charts.map((c) => (
            <TimeChart
              key={`${c.def.id} ${c.lines.map((l) => l.label).join('|')}`}
              id={c.def.id}
              title={`${c.def.title} (${d.stepMs / 1000} s steps)`}
              lines={c.lines}
              axes={c.axes}
              data={c.data}
              ink={ink}
              onRange={(from, to) => onChange({ from: String(from), to: String(to) })}
              onReset={() => onChange({ from: '', to: '' })}
            />
          ))}
        </section>
      )}
    </div>
  );
}
