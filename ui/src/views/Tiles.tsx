/** The headline numbers for the service and window. */
import * as fmt from '../lib/format';
import type { Overview } from '../lib/types';

interface Tile { id: string; label: string; value: number | null; text: string; bad?: boolean; hint?: string }

export function Tiles({ overview }: { overview: Overview }) {
  const o = overview;
  const tiles: Tile[] = [
    { id: 'rate', label: 'requests', value: o.requestRate, text: fmt.rate(o.requestRate), hint: `${fmt.count(o.requests)} in the window` },
    { id: 'errors', label: 'error rate', value: o.errorRate * 100, text: fmt.pct(o.errorRate * 100), bad: o.errorRate > 0, hint: `${fmt.count(o.errors)} failed (5xx or exception)` },
    { id: 'p50', label: 'p50', value: o.p50Ms, text: fmt.ms(o.p50Ms) },
    { id: 'p95', label: 'p95', value: o.p95Ms, text: fmt.ms(o.p95Ms) },
    { id: 'p99', label: 'p99', value: o.p99Ms, text: fmt.ms(o.p99Ms) },
    { id: 'max', label: 'max', value: o.maxMs, text: fmt.ms(o.maxMs) },
    { id: 'inflight', label: 'in flight', value: o.inFlight, text: fmt.count(o.inFlight) },
    { id: 'cpu', label: 'CPU', value: o.cpuUtilization === null ? null : o.cpuUtilization * 100, text: fmt.pct(o.cpuUtilization === null ? null : o.cpuUtilization * 100) },
    { id: 'memory', label: 'memory (RSS)', value: o.memoryBytes, text: fmt.bytes(o.memoryBytes) },
  ];
  return (
    <section class="tiles" aria-label="summary" data-source={o.source}>
      {tiles.map((t) => (
        <div class={`tile ${t.bad ? 'bad' : ''}`} key={t.id} data-tile={t.id} title={t.hint}>
          <span class="tile-label">{t.label}</span>
          <span class="tile-value" data-value={t.value === null ? '' : String(t.value)}>{t.text}</span>
          {t.hint && <span class="tile-hint">{t.hint}</span>}
        </div>
      ))}
    </section>
  );
}
