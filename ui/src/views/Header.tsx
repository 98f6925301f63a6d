/** Top bar: view tabs, service and window selectors, live status, theme and AI settings. */
import type { ServiceInfo } from '../lib/types';
import { hasRange, WINDOWS, type UrlState, type ViewName, type WindowName } from '../lib/url-state';
import { RangePicker } from './RangePicker';
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

/** The view tabs: view, label, what else switching to it resets. */
const TABS: [ViewName, string, Partial<UrlState>][] = [
  ['overview', 'Overview', { trace: '' }],
  ['traces', 'Traces', {}],
  ['map', 'Map', { trace: '' }],
  ['queries', 'Queries', { trace: '' }],
  ['runtime', 'Runtime', { trace: '' }],
  ['code', 'Code', { trace: '', error: '' }],
  ['logs', 'Logs', { trace: '' }],
  ['debug', 'Debug', { trace: '' }],
];

const NEXT_THEME: Record<ThemeChoice, ThemeChoice> = { auto: 'light', light: 'dark', dark: 'auto' };

export function Header({ state, services, live, theme, onChange, onTheme, onSettings }: Props) {
  const names = (services ?? []).map((s) => s.service);
  if (state.service !== '' && !names.includes(state.service)) names.unshift(state.service);
  const ranged = hasRange(state);
  return (
    <header class="top">
      <span class="brand">tracekit</span>
      <nav class="tabs" aria-label="views">
        {TABS.map(([view, label, patch]) => (
          <button type="button" key={view} data-view={view} aria-pressed={state.view === view} onClick={() => onChange({ view, sort: '', ...patch })}>{label}</button>
        ))}
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
          <button type="button" key={w} data-window={w} aria-pressed={!ranged && state.window === w} onClick={() => onChange({ window: w, from: '', to: '' })}>{w}</button>
        ))}
      </div>
      <RangePicker state={state} onChange={onChange} />
      <span class={`live ${live.error ? 'live-error' : ''}`} title={live.error ? live.error.message : 'refreshes every 2 s'}>
        {live.error ? 'collector unreachable' : live.updatedMs === undefined ? 'loading…' : 'live'}
      </span>
      <span class="spacer" />
      <button type="button" class="ghost" onClick={() => onTheme(NEXT_THEME[theme])} title="light, dark, or as the system">theme: {theme}</button>
      <button type="button" class="ghost" id="assist-settings" onClick={onSettings}>AI settings</button>
    </header>
  );
}
