/**
 * Errors grouped by fingerprint, as an error tracker lists them: a sparkline of each group over
 * the window, new and regressed marks; a row opens to its stack (the app's frames stand out,
 * library frames fold), its routes and its latest occurrences' traces.
 */
import { useEffect } from 'preact/hooks';
import * as fmt from '../lib/format';
import type { ErrorGroup } from '../lib/types';
import { Sparkline } from './Sparkline';
import { StackTrace } from './StackTrace';

interface Props {
  groups: ErrorGroup[];
  /** The open group's fingerprint ('' for none); kept in the address bar. */
  open: string;
  onOpen(fingerprint: string): void;
  /** Opens a trace, with the span that raised the error selected. */
  onTrace(traceId: string, spanId: string): void;
  /** The code inventory narrowed to the functions of this group's stacks. */
  onCode(fingerprint: string): void;
}

export function ErrorGroups({ groups, open, onOpen, onTrace, onCode }: Props) {
  // A group opened from elsewhere (the code inventory) is scrolled into view.
  useEffect(() => {
    if (open !== '') document.querySelector(`[data-fingerprint="${CSS.escape(open)}"]`)?.scrollIntoView({ block: 'center' });
  }, [open]);
  return (
    <section class="panel" id="errors" aria-label="errors">
      <h2>Errors</h2>
      {groups.length === 0 ? (
        <p class="empty">No errors in this window.</p>
      ) : (
        <ul class="error-groups">
          {groups.map((g) => {
            const expanded = open === g.fingerprint;
            return (
              <li key={g.fingerprint} class="error-group" data-fingerprint={g.fingerprint}>
                <button type="button" class="error-summary" aria-expanded={expanded} onClick={() => onOpen(expanded ? '' : g.fingerprint)}>
                  <span class="error-type">{g.type}</span>
                  {g.isNew && <span class="mark mark-new" data-mark="new" title={`first seen ${fmt.time(g.firstSeenMs)}, in this window`}>new</span>}
                  {g.regressed && <span class="mark mark-regressed" data-mark="regressed" title={`back after a silence: last seen before this window ${g.previousSeenMs === null ? '' : fmt.time(g.previousSeenMs)}`}>regressed</span>}
                  <span class="error-message">{g.message}</span>
                  <Sparkline counts={g.sparkline} title={`${fmt.count(g.count)} over the window`} />
                  <span class="error-count" title="occurrences in the window">{fmt.count(g.count)}×</span>
                  <span class="muted">{g.service}</span>
                  <span class="muted" title="last seen">{fmt.time(g.lastSeenMs)}</span>
                </button>
                {expanded && (
                  <div class="error-detail">
                    <dl>
                      <dt>count</dt>
                      <dd>{fmt.count(g.count)}</dd>
                      <dt>first seen</dt>
                      <dd>{fmt.time(g.firstSeenMs)}</dd>
                      <dt>last seen</dt>
                      <dd>{fmt.time(g.lastSeenMs)}</dd>
                      <dt>routes</dt>
                      <dd>{g.routes.length === 0 ? '–' : g.routes.join(', ')}</dd>
                    </dl>
                    <StackTrace stack={g.stack} />
                    <h4>Latest occurrences</h4>
                    <ul class="error-samples">
                      {g.samples.map((s) => (
                        <li key={`${s.traceId} ${s.spanId}`}>
                          <a href={`?view=traces&trace=${s.traceId}&span=${s.spanId}`} data-sample-trace={s.traceId} onClick={(e) => { e.preventDefault(); onTrace(s.traceId, s.spanId); }}>
                            {fmt.time(s.timeMs)}
                          </a>{' '}
                          <span class="muted">{s.route ?? ''}</span>
                        </li>
                      ))}
                    </ul>
                    <button type="button" class="small" data-trace={g.traceId} onClick={() => onTrace(g.traceId, g.spanId)}>open the latest trace</button>
                    <button type="button" class="small" data-code={g.fingerprint} onClick={() => onCode(g.fingerprint)}>its functions in the code inventory</button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
