/**
 * The Debug view (docs/debugging.md): breakpoints (captureSnapshot sites and file:line ones)
 * with their state in each process, hits and limits, switches; a form to add a file:line
 * breakpoint or log point; the snapshots of the chosen breakpoint, and one snapshot opened.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, apiSend } from '../lib/api';
import * as fmt from '../lib/format';
import { usePoll } from '../lib/poll';
import type { Breakpoint, SnapshotSummary } from '../lib/types';
import type { UrlState } from '../lib/url-state';
import { AddBreakpoint } from './AddBreakpoint';
import { SnapshotViewer } from './SnapshotViewer';

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void; onStatus(s: { updatedMs: number | undefined; error: Error | undefined }): void }

interface BreakpointList { breakpoints: Breakpoint[]; listeners: Record<string, string[]> }

function where(b: Breakpoint): string {
  return b.kind === 'snapshot' ? `${b.label ?? ''} (${b.function ?? ''} at ${b.file}:${b.line})` : `${b.file}:${b.line}`;
}

function stateText(b: Breakpoint): string {
  if (b.instances.length === 0) return b.status === 'active' ? 'waiting for a process' : '';
  return b.instances.map((s) => `${s.state}${s.line !== undefined && s.line !== b.line ? ` at line ${s.line}` : ''}${s.message ? `: ${s.message}` : ''}`).join('; ');
}

export function DebugView({ state, onChange, onStatus }: Props) {
  const [epoch, setEpoch] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const list = usePoll(() => api<BreakpointList>('debug/breakpoints', { service: state.service }), [state.service, epoch], 2000);
  const snaps = usePoll(() => api<SnapshotSummary[]>('debug/snapshots', { service: state.service, breakpoint: state.bp, limit: 100 }), [state.service, state.bp, epoch], 2000);
  useEffect(() => onStatus({ updatedMs: list.updatedMs, error: list.error }), [list.updatedMs, list.error]);
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    try {
      setError(null);
      await f();
    } catch (err) {
      setError((err as Error).message);
    }
    setEpoch((n) => n + 1);
  };
  const bps = list.data?.breakpoints ?? [];
  return (
    <section class="panel" id="debug" aria-label="live debugging">
      <h2>Live debugging</h2>
      <p class="note">
        Breakpoints capture variables, the stack and the request without stopping the app. Apps need <code>TRACEKIT_CODE_MONITORING=true</code>; <code>captureSnapshot(label, vars)</code> calls appear here on their first run.
      </p>
      <AddBreakpoint service={state.service} breakpoints={list.data?.breakpoints ?? []} onAdd={(body) => act(() => apiSend('POST', 'debug/breakpoints', body))} />
      {error !== null && <p class="error-text" id="debug-error">{error}</p>}
      {bps.length === 0 ? (
        <p class="empty">No breakpoints yet.</p>
      ) : (
        <div class="scroll">
          <table class="data" id="breakpoints">
            <thead>
              <tr><th>on</th><th>kind</th><th>where</th><th>state</th><th>snapshots</th><th>limits</th><th>status</th><th></th></tr>
            </thead>
            <tbody>
              {bps.map((b) => (
                <tr key={b.id} data-bp={b.id} class={state.bp === b.id ? 'selected' : ''}>
                  <td>
                    <input type="checkbox" aria-label={`switch ${where(b)}`} checked={b.enabled} onChange={() => act(() => apiSend('PATCH', `debug/breakpoints/${b.id}`, { enabled: !b.enabled }))} />
                  </td>
                  <td>{b.kind}</td>
                  <td class="mono">
                    <button type="button" class="link" onClick={() => onChange({ bp: state.bp === b.id ? '' : b.id, snapshot: '' })}>{where(b)}</button>
                    {b.condition && <div class="muted">if {b.condition}</div>}
                    {b.logTemplate && <div class="muted">log: {b.logTemplate}</div>}
                  </td>
                  <td class="bp-state">{stateText(b)}</td>
                  <td class="num">{b.snapshots}</td>
                  <td class="muted">every {fmt.ms(b.intervalMs)}, {b.maxHits} max{b.expiresAtMs !== null ? `, until ${fmt.time(b.expiresAtMs)}` : ''}</td>
                  <td>{b.status}</td>
                  <td><button type="button" class="small" onClick={() => act(() => apiSend('DELETE', `debug/breakpoints/${b.id}`))}>delete</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Snapshots{state.bp !== '' ? ' of the chosen breakpoint' : ''}</h3>
      {(snaps.data ?? []).length === 0 ? (
        <p class="empty">No snapshots{state.bp !== '' ? ' for this breakpoint' : ''} yet.</p>
      ) : (
        <ul class="snapshots" id="snapshots">
          {(snaps.data ?? []).map((s) => (
            <li key={s.id} data-snapshot={s.id}>
              <button type="button" class="link" onClick={() => onChange({ snapshot: s.id })}>
                {fmt.time(s.timeMs)} · {s.label ?? `${s.file}:${s.line}`} · {s.function}
              </button>
            </li>
          ))}
        </ul>
      )}
      {state.snapshot !== '' && <SnapshotViewer id={state.snapshot} onTrace={(trace) => onChange({ view: 'traces', trace })} />}
    </section>
  );
}
