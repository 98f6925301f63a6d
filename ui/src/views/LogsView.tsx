/**
 * The Logs view: the records the apps logged (console, pino, winston, or any OTLP sender),
 * newest first and live, filtered by service (top bar), lowest severity, text and trace id, all
 * kept in the address bar. A record written inside a request links to its trace.
 */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import type { LogPage } from '../lib/types';
import { scopeParams, type UrlState } from '../lib/url-state';

const SEVERITIES: [string, string][] = [['', 'any severity'], ['debug', 'debug and up'], ['info', 'info and up'], ['warn', 'warn and up'], ['error', 'error and up']];

/** A CSS class for a severity number (OTLP ranges). */
export function severityClass(severity: number): string {
  return severity >= 17 ? 'sev-error' : severity >= 13 ? 'sev-warn' : severity >= 9 ? 'sev-info' : 'sev-debug';
}

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

export function LogsView({ state, onChange, onStatus }: Props) {
  const [draft, setDraft] = useState({ q: state.q, traceId: state.traceId });
  useEffect(() => setDraft({ q: state.q, traceId: state.traceId }), [state.q, state.traceId]);
  const [open, setOpen] = useState<number | null>(null);
  // Reading older records: the page ends where the last one stopped (a text search stops early).
  const [before, setBefore] = useState<number | undefined>(undefined);
  useEffect(() => setBefore(undefined), [state.service, state.window, state.from, state.to, state.severity, state.q, state.traceId]);
  const page = usePoll(
    () => api<LogPage>('logs', { ...scopeParams(state), severity: state.severity, q: state.q, traceId: state.traceId, limit: 300, to: before === undefined ? state.to : Math.floor(before) }),
    [state.service, state.window, state.from, state.to, state.severity, state.q, state.traceId, before],
    before === undefined ? 2000 : 0,
  );
  const logs = { ...page, data: page.data?.logs };
  useEffect(() => onStatus({ updatedMs: logs.updatedMs, error: logs.error }), [logs.updatedMs, logs.error]);
  const submit = (e: Event): void => {
    e.preventDefault();
    onChange({ q: draft.q.trim(), traceId: draft.traceId.trim() });
  };
  return (
    <section class="panel" id="logs" aria-label="logs">
      <h2>Logs</h2>
      <form class="filters" onSubmit={submit}>
        <label class="field">
          <span>severity</span>
          <select name="severity" value={state.severity} onChange={(e) => onChange({ severity: (e.currentTarget as HTMLSelectElement).value })}>
            {SEVERITIES.map(([v, label]) => (
              <option key={v} value={v}>{label}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>text</span>
          <input name="q" value={draft.q} onInput={(e) => setDraft({ ...draft, q: (e.currentTarget as HTMLInputElement).value })} placeholder="message or field" />
        </label>
        <label class="field">
          <span>trace id</span>
          <input name="traceId" value={draft.traceId} onInput={(e) => setDraft({ ...draft, traceId: (e.currentTarget as HTMLInputElement).value })} placeholder="32 hex digits" class="mono" />
        </label>
        <button type="submit">search</button>
      </form>
      {logs.error && <p class="error-text">{logs.error.message}</p>}
      {before !== undefined && (
        <p class="note">
          Older records, up to {fmt.time(before)}. <button type="button" class="small" onClick={() => setBefore(undefined)}>newest</button>
        </p>
      )}
      {page.data !== undefined && !page.data.complete && (
        <p class="note" id="logs-partial">
          This search read the records back to {fmt.time(page.data.searchedFromMs)} and stopped there to stay fast.{' '}
          <button type="button" class="small" id="logs-older" onClick={() => setBefore(page.data?.searchedFromMs)}>search older records</button>
        </p>
      )}
      {logs.data !== undefined && logs.data.length === 0 && <p class="empty">No log records match in this window.</p>}
      {logs.data !== undefined && logs.data.length > 0 && (
        <div class="scroll">
          <table class="data logs">
            <thead>
              <tr>
                <th>time</th>
                <th>service</th>
                <th>severity</th>
                <th>message</th>
                <th>attributes</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {logs.data.map((l, i) => {
                const attrs = Object.entries(l.attributes);
                return (
                  <tr key={`${l.timeMs} ${i}`} class={severityClass(l.severity)} data-severity={l.severity} onClick={() => setOpen(open === i ? null : i)}>
                    <td class="nowrap">{fmt.time(l.timeMs)}</td>
                    <td>{l.service}</td>
                    <td class="severity">{l.severityText || String(l.severity)}</td>
                    <td class="log-body">{l.body}</td>
                    <td class="log-attrs">
                      {open === i
                        ? attrs.map(([k, v]) => (
                            <div key={k}>
                              <span class="muted">{k}</span> {typeof v === 'string' ? v : JSON.stringify(v)}
                            </div>
                          ))
                        : attrs.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ')}
                    </td>
                    <td class="actions">
                      {l.traceId !== null && (
                        <button type="button" class="small" data-log-trace={l.traceId} onClick={(e) => { e.stopPropagation(); onChange({ view: 'traces', trace: l.traceId as string }); }}>trace</button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
