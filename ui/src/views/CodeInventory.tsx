/**
 * The code inventory: every function seen in a stored exception's stack, with where it is,
 * how often and when, and the error groups it appeared in (each a link to that group).
 */
import * as fmt from '../lib/format';
import type { CodeEntry } from '../lib/types';

interface Props {
  entries: CodeEntry[];
  showService: boolean;
  /** An error group the table is narrowed to ('' for none). */
  error: string;
  onClearError(): void;
  onGroup(fingerprint: string): void;
}

export function CodeInventory({ entries, showService, error, onClearError, onGroup }: Props) {
  return (
    <section class="panel code-inventory" id="code-inventory" aria-label="code inventory">
      <h2>Code inventory <span class="muted">functions in exceptions' stacks</span></h2>
      {error !== '' && (
        <p class="note">
          Functions in the stacks of error group <code>{error.slice(0, 12)}</code>.{' '}
          <button type="button" class="small" id="clear-error" onClick={onClearError}>all functions</button>
        </p>
      )}
      {entries.length === 0 ? (
        <p class="empty">No exceptions with stacks here in this window.</p>
      ) : (
        <div class="scroll">
          <table class="data">
            <thead>
              <tr>
                {showService && <th>service</th>}
                <th>function</th>
                <th>file</th>
                <th class="num">occurrences</th>
                <th class="num">first seen</th>
                <th class="num">last seen</th>
                <th>error groups</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={`${e.service} ${e.file} ${e.function}`} data-function={e.function}>
                  {showService && <td>{e.service}</td>}
                  <td>{e.function}</td>
                  <td class="site"><code>{`${e.file}:${e.line}`}</code>{e.library && <span class="muted"> (library)</span>}</td>
                  <td class="num">{fmt.count(e.occurrences)}</td>
                  <td class="num">{fmt.time(e.firstSeenMs)}</td>
                  <td class="num">{fmt.time(e.lastSeenMs)}</td>
                  <td>
                    {e.groups.map((g) => (
                      <button type="button" class="small link" key={g} data-group={g} onClick={() => onGroup(g)} title="open this error group">{g.slice(0, 8)}</button>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
