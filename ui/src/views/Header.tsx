/** Top bar: view tabs, service and window selectors, live status, theme and AI settings. */
import type { ServiceInfo } from '../lib/types';
import { WINDOWS, type UrlState, type WindowName } from '../lib/url-state';
import type { ThemeChoice } from '../lib/theme';

interface Props {
  state: UrlState;
  services: ServiceInfo[] | undefined;
  live: { updatedMs: number | undefined; error: Error | undefined };
  theme: ThemeChoice;
  onChange(patch: Partial<UrlState>): void;
  onTheme(next: ThemeChoice): void;
  onSettings(): void;
}

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { auto: 'light', light: 'dark', dark: 'auto' };

export function Header({ state, services, live, theme, onChange, onTheme, onSettings }: Props) {
  const names = (services ?? []).map((s) => s.service);
  if (state.service !== '' && !names.includes(state.service)) names.unshift(state.service);
  return (
    <header class="top">
      <span class="brand">tracekit</span>
      <nav class="tabs" aria-label="views">
        <button type="button" aria-pressed={state.view === 'overview'} onClick={() => onChange({ view: 'overview', trace: '' })}>Overview</button>
        <button type="button" aria-pressed={state.view === 'traces'} onClick={() => onChange({ view: 'traces' })}>Traces</button>
        <button type="button" aria-pressed={state.view === 'code'} onClick={() => onChange({ view: 'code', trace: '', error: '' })}>Code</button>
        <button type="button" aria-pressed={state.view === 'logs'} onClick={() => onChange({ view: 'logs', trace: '' })}>Logs</button>
        <button type="button" aria-pressed={state.view === 'debug'} onClick={() => onChange({ view: 'debug', trace: '' })}>Debug</button>
      </nav>
      <label class="field">
        <span>service</span>
        <select id="service" value={state.service} onChange={(e) => onChange({ service: (e.currentTarget as HTMLSelectElement).value })}>
          <option value="">all services</option>
          {names.map((n) => (
            <option key={n} value={n}>{n}</option>
          ))}
        </select>
      </label>
      <div class="segmented" role="group" aria-label="window">
        {WINDOWS.map((w: WindowName) => (
          <button type="button" key={w} data-window={w} aria-pressed={state.window === w} onClick={() => onChange({ window: w })}>{w}</button>
        ))}
      </div>
      <span class={`live ${live.error ? 'live-error' : ''}`} title={live.error ? live.error.message : 'refreshes every 2 s'}>
        {live.error ? 'collector unreachable' : live.updatedMs === undefined ? 'loading…' : 'live'}
      </span>
      <span class="spacer" />
      <button type="button" class="ghost" onClick={() => onTheme(NEXT_THEME[theme])} title="light, dark, or as the system">theme: {theme}</button>
      <button type="button" class="ghost" id="assist-settings" onClick={onSettings}>AI settings</button>
    </header>
  );
}
