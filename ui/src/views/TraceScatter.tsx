/**
 * The search results as a duration-over-time scatter (Jaeger's view): one dot per trace,
 * failed ones red; a click opens the trace. Drawn as SVG so each dot is an element of its own.
 */
import * as fmt from '../lib/format';
import type { TraceRow } from '../lib/types';

const W = 1000;
const H = 160;
const PAD = { left: 56, right: 10, top: 8, bottom: 20 };

interface Props { traces: TraceRow[]; selected: string; onOpen(traceId: string): void }

export function TraceScatter({ traces, selected, onOpen }: Props) {
  if (traces.length === 0) return null;
  const t0 = Math.min(...traces.map((t) => t.startMs));
  const t1 = Math.max(...traces.map((t) => t.startMs));
  const span = Math.max(1, t1 - t0);
  const top = Math.max(...traces.map((t) => t.durationMs)) * 1.1 || 1;
  const x = (ms: number): number => PAD.left + ((ms - t0) / span) * (W - PAD.left - PAD.right);
  const y = (ms: number): number => H - PAD.bottom - (ms / top) * (H - PAD.top - PAD.bottom);
  const ticks = [0, top / 2, top];
  return (
    <svg class="trace-scatter" id="trace-scatter" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="trace durations over time">
      {ticks.map((v) => (
        <g key={v}>
          <line class="scatter-grid" x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} />
          <text class="scatter-label" x={PAD.left - 6} y={y(v) + 4} text-anchor="end">{fmt.ms(v)}</text>
        </g>
      ))}
      <text class="scatter-label" x={PAD.left} y={H - 4}>{fmt.time(t0)}</text>
      <text class="scatter-label" x={W - PAD.right} y={H - 4} text-anchor="end">{fmt.time(t1)}</text>
      {traces.map((t) => (
        <circle
          key={t.traceId}
          class={`scatter-dot ${t.error ? 'scatter-error' : ''} ${t.traceId === selected ? 'scatter-selected' : ''}`}
          data-trace-id={t.traceId}
          cx={x(t.startMs)}
          cy={y(t.durationMs)}
          r={t.traceId === selected ? 6 : 4}
          onClick={() => onOpen(t.traceId)}
        >
          <title>{`${fmt.time(t.startMs)} · ${t.name} · ${fmt.ms(t.durationMs)} · ${t.spanCount} spans`}</title>
        </circle>
      ))}
    </svg>
  );
}
