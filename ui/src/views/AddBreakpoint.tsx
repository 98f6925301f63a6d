/**
 * The Debug view's form for a file:line breakpoint or log point (docs/debugging.md). It suggests
 * files, and lines within the chosen file, from what the collector knows of the app's code: the
 * `captureSnapshot` sites, the app's own frames in stored exceptions (the code inventory), and
 * where routes are declared (a declaration runs once at start-up, so it is labelled as such).
 */
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { usePoll } from '../lib/poll';
import type { Breakpoint, CodeEntry, RouteInventoryView } from '../lib/types';

/** A line worth breaking on, and why. */
export interface LineHint {
  file: string;
  line: number;
  text: string;
}

/** Suggested lines, one per file:line (the first reason wins: sites, then errors, then routes). */
export function lineHints(breakpoints: Breakpoint[], code: CodeEntry[], routes: RouteInventoryView['routes']): LineHint[] {
  const hints = new Map<string, LineHint>();
  const add = (h: LineHint): void => {
    if (h.file === '' || h.line <= 0) return;
    const key = `${h.file}:${h.line}`;
    if (!hints.has(key)) hints.set(key, h);
  };
  for (const b of breakpoints) if (b.kind === 'snapshot') add({ file: b.file, line: b.line, text: `captureSnapshot "${b.label ?? ''}" in ${b.function ?? 'a function'}` });
  for (const c of code) if (!c.library) add({ file: c.file, line: c.line, text: `${c.function}, in the stack of ${c.occurrences} exception${c.occurrences === 1 ? '' : 's'}` });
  for (const r of routes) add({ file: r.file, line: r.line, text: `declares ${r.method} ${r.route} (runs at start-up; its handler is ${r.function || 'anonymous'})` });
  return [...hints.values()];
}

export function AddBreakpoint({ service, breakpoints, onAdd }: { service: string; breakpoints: Breakpoint[]; onAdd(body: Record<string, unknown>): void }) {
  const [form, setForm] = useState({ service, file: '', line: '', condition: '', logTemplate: '' });
  const routes = usePoll(() => api<RouteInventoryView>('code/routes', { service, window: '24h' }), [service], 0);
  const code = usePoll(() => api<CodeEntry[]>('code', { service, window: '24h', limit: 500 }), [service], 0);
  const hints = lineHints(breakpoints, code.data ?? [], routes.data?.routes ?? []);
  const files = [...new Set(hints.map((h) => h.file))];
  const inFile = hints.filter((h) => h.file === form.file).sort((a, b) => a.line - b.line);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.currentTarget as HTMLInputElement).value });
  const submit = (e: Event): void => {
    e.preventDefault();
    onAdd({ service: form.service || service, file: form.file, line: Number(form.line), condition: form.condition || undefined, logTemplate: form.logTemplate || undefined });
  };
  return (
    <form class="filters" id="add-breakpoint" onSubmit={submit}>
      <label class="field"><span>service</span><input name="service" value={form.service || service} onInput={set('service')} required /></label>
      <label class="field"><span>file</span><input name="file" list="bp-files" value={form.file} onInput={set('file')} placeholder="src/routes/orders.js" required /></label>
      <datalist id="bp-files">{files.map((f) => <option key={f} value={f} />)}</datalist>
      <label class="field"><span>line</span><input name="line" type="number" min={1} value={form.line} onInput={set('line')} required /></label>
      <label class="field"><span>condition</span><input name="condition" value={form.condition} onInput={set('condition')} placeholder="order.total > 100" /></label>
      <label class="field"><span>log message</span><input name="logTemplate" value={form.logTemplate} onInput={set('logTemplate')} placeholder="total {order.total} (makes a log point)" /></label>
      <button type="submit">add breakpoint</button>
      {inFile.length > 0 && (
        <ul class="line-hints" id="bp-line-hints" aria-label="lines known in this file">
          {inFile.map((h) => (
            <li key={h.line}>
              <button type="button" class="link" data-line={h.line} onClick={() => setForm({ ...form, line: String(h.line) })}>line {h.line}</button> <span class="muted">{h.text}</span>
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
