/** Errors grouped by fingerprint; a row opens to its stack, routes and a trace that hit it. */
import { useEffect } from 'preact/hooks';
import * as fmt from '../lib/format';
import type { ErrorGroup } from '../lib/types';

interface Props {
  groups: ErrorGroup[];
  /** The open group's fingerprint ('' for none); kept in the address bar. */
  open: string;
  onOpen(fingerprint: string): void;
  onTrace(traceId: string): void;
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
                  <span class="error-message">{g.message}</span>
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
                    <pre class="stack">{g.stack === '' ? '(no stack trace was recorded)' : g.stack}</pre>
                    <button type="button" class="small" data-trace={g.traceId} onClick={() => onTrace(g.traceId)}>open a trace that hit it</button>
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
