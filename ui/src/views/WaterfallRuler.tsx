/**
 * The waterfall's time ruler (0 to the trace's length in quarters, over the bars' column) and
 * its legend (what the bar colours and the marks on them mean).
 */
import * as fmt from '../lib/format';

const TICKS = [0, 0.25, 0.5, 0.75, 1];

export function WaterfallRuler({ total }: { total: number }) {
  return (
    <div class="wf-ruler" aria-hidden="true">
      <span />
      <span class="wf-track">
        {TICKS.map((t) => (
          <span key={t} class="wf-tick" data-tick={t} style={{ left: `${t * 100}%` }}>{fmt.ms(t * total)}</span>
        ))}
      </span>
      <span />
    </div>
  );
}

export function WaterfallLegend() {
  return (
    <ul class="wf-legend" aria-label="legend">
      <li><span class="wf-swatch kind-server" /> server</li>
      <li><span class="wf-swatch kind-client" /> client (outgoing call, query)</li>
      <li><span class="wf-swatch kind-internal" /> internal</li>
      <li><span class="wf-swatch wf-swatch-error" /> failed</li>
      <li><span class="wf-legend-mark wf-log" /> log record</li>
      <li><span class="wf-legend-mark wf-event" /> event</li>
      <li><span class="wf-legend-mark wf-event wf-event-exception" /> exception</li>
    </ul>
  );
}
