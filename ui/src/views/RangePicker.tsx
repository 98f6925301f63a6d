/**
 * An explicit from/to time range beside the window presets. While a range is set (here, or by
 * dragging across a chart), every view shows it; clearing it, or choosing a preset, goes back
 * to the last N minutes.
 */
import { useEffect, useState } from 'preact/hooks';
import * as fmt from '../lib/format';
import { hasRange, type UrlState } from '../lib/url-state';

interface Props { state: UrlState; onChange(patch: Partial<UrlState>): void }

/** `YYYY-MM-DDTHH:MM:SS` in local time, as a datetime-local input holds it. */
export function toLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Epoch ms of a datetime-local value (local time), or NaN. */
function fromLocalInput(value: string): number {
  return value === '' ? NaN : new Date(value).getTime();
}

export function RangePicker({ state, onChange }: Props) {
  const active = hasRange(state);
  const [open, setOpen] = useState(false);
  const [draft, setDraft] = useState({ from: '', to: '' });
  const [problem, setProblem] = useState('');
  useEffect(() => {
    if (!open) return;
    const to = active ? Number(state.to) : Date.now();
    const from = active ? Number(state.from) : to - 15 * 60_000;
    setDraft({ from: toLocalInput(from), to: toLocalInput(to) });
    setProblem('');
  }, [open]);
  const apply = (e: Event): void => {
    e.preventDefault();
    const from = fromLocalInput(draft.from);
    const to = fromLocalInput(draft.to);
    if (!Number.isFinite(from) || !Number.isFinite(to)) return setProblem('both times are needed');
    if (from >= to) return setProblem('"from" must be before "to"');
    onChange({ from: String(from), to: String(to) });
    setOpen(false);
  };
  return (
    <div class="range-picker">
      {active && (
        <span class="range-chip" id="time-range" title="every view shows this time range">
          {fmt.time(Number(state.from))} – {fmt.time(Number(state.to))}
          <button type="button" class="ghost small" id="range-clear" aria-label="clear the time range" onClick={() => onChange({ from: '', to: '' })}>×</button>
        </span>
      )}
      <button type="button" class="ghost" id="range-open" aria-expanded={open} onClick={() => setOpen(!open)}>{active ? 'edit range' : 'range…'}</button>
      {open && (
        <form class="range-form" id="range-form" onSubmit={apply}>
          <label class="field">
            <span>from</span>
            <input type="datetime-local" step="1" name="from" value={draft.from} onInput={(e) => setDraft({ ...draft, from: (e.currentTarget as HTMLInputElement).value })} />
          </label>
          <label class="field">
            <span>to</span>
            <input type="datetime-local" step="1" name="to" value={draft.to} onInput={(e) => setDraft({ ...draft, to: (e.currentTarget as HTMLInputElement).value })} />
          </label>
          <button type="submit">apply</button>
          {problem !== '' && <span class="error-text">{problem}</span>}
        </form>
      )}
    </div>
  );
}
