/**
 * One uPlot time-series chart. The chart is built once and fed new data in place, so a
 * refresh never flickers. Dragging across it selects a time range that the whole page then
 * shows (`onRange`), and a double-click goes back to the window (`onReset`): the chart itself
 * never zooms on its own, so it always agrees with the tiles and tables beside it.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { debug } from '../lib/debug';
import * as fmt from '../lib/format';

export interface LineDef {
  label: string;
  color: string;
  scale: string;
  dash?: number[];
  format(v: number | null): string;
}

export interface AxisDef {
  scale: string;
  side: 'left' | 'right';
  format(v: number): string;
}

interface Props {
  id: string;
  title: string;
  lines: LineDef[];
  axes: AxisDef[];
  /** x in seconds, then one array per line. */
  data: (number | null)[][];
  /** Axis and grid colours (rebuilt when the theme changes). */
  ink: { text: string; grid: string };
  /** A range was dragged out: epoch milliseconds. */
  onRange?(fromMs: number, toMs: number): void;
  /** A double-click: back to the window. */
  onReset?(): void;
}

export function TimeChart({ id, title, lines, axes, data, ink, onRange, onReset }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The latest callbacks, read by the chart's hooks, which are set up once.
  const handlers = useRef({ onRange, onReset });
  handlers.current = { onRange, onReset };

  useEffect(() => {
    const el = host.current;
    if (el === null) return;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: 220,
      legend: { live: true },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: Object.fromEntries(axes.map((a) => [a.scale, { auto: true, range: (_u: uPlot, min: number, max: number): uPlot.Range.MinMax => [0, max > min ? max * 1.1 : Math.max(1, max)] }])),
      series: [
        { value: (_u: uPlot, v: number | null) => (v === null ? '–' : fmt.time(v * 1000)) },
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 1.5,
          scale: l.scale,
          dash: l.dash,
          spanGaps: false,
          // A value with no neighbour (one busy bucket in a long window) draws no line: a dot.
          points: { size: 6, fill: l.color, filter: (u: uPlot, si: number, show: boolean) => (show ? null : isolatedPoints(u.data[si])) },
          value: (_u: uPlot, v: number | null) => l.format(v),
        })),
      ],
      axes: [
        {
          stroke: ink.text,
          grid: { stroke: ink.grid, width: 1 },
          ticks: { stroke: ink.grid },
          // Room for a whole label between ticks: "10:13:40" (a short range, seconds shown) is wider than "10:13".
          space: (_u: uPlot, _axis: number, min: number, max: number) => (max - min <= 1800 ? 64 : 50),
          // The tables' 24-hour clock, with seconds only when the ticks are under a minute apart.
          values: (_u: uPlot, splits: number[], _axis: number, _space: number, incr: number) => splits.map((v) => fmt.clock(v * 1000, incr < 60)),
        },
        ...axes.map((a) => ({
          scale: a.scale,
          side: a.side === 'left' ? 3 : 1,
          stroke: ink.text,
          grid: { show: a.side === 'left', stroke: ink.grid, width: 1 },
          ticks: { stroke: ink.grid },
          size: 70,
          values: (_u: uPlot, splits: number[]) => splits.map((v) => a.format(v)),
        })),
      ],
      hooks: {
        setSelect: [
          (u: uPlot) => {
            const { left, width } = u.select;
            // A click without a drag selects nothing.
            if (width < 3) return;
            const from = u.posToVal(left, 'x');
            const to = u.posToVal(left + width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            if (Number.isFinite(from) && Number.isFinite(to) && to > from) handlers.current.onRange?.(Math.round(from * 1000), Math.round(to * 1000));
          },
        ],
      },
    };
    const u = new uPlot(opts, data as uPlot.AlignedData, el);
    plot.current = u;
    debug.charts[id] = u;
    const reset = (): void => handlers.current.onReset?.();
    u.over.addEventListener('dblclick', reset);
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: 220 }));
    resize.observe(el);
    return () => {
      u.over.removeEventListener('dblclick', reset);
      resize.disconnect();
      u.destroy();
      plot.current = null;
      delete debug.charts[id];
    };
    // Rebuilt only when the theme's colours change; data flows through the effect below.
  }, [ink.text, ink.grid]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData, true);
  }, [data]);

  return (
    <figure class="chart" id={id}>
      <figcaption>{title}</figcaption>
      <div ref={host} class="chart-canvas" />
    </figure>
  );
}

/** Indices of values with no value on either side. */
export function isolatedPoints(ys: ArrayLike<number | null | undefined>): number[] {
  const out: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] != null && ys[i - 1] == null && ys[i + 1] == null) out.push(i);
  }
  return out;
}
