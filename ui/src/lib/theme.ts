/** Light, dark, or whatever the system prefers; the choice is kept in localStorage. */
import { load, save } from './storage';

export type ThemeChoice = 'auto' | 'light' | 'dark';
const STORE = 'tracekit.theme';

export function loadTheme(): ThemeChoice {
  const v = load(STORE);
  return v === 'light' || v === 'dark' ? v : 'auto';
}

/**
 * Sets `data-theme` to the theme in effect (styles.css keys its palettes on it alone) and
 * remembers the choice. With 'auto', call again when the system preference changes.
 */
export function applyTheme(choice: ThemeChoice): void {
  document.documentElement.dataset.theme = effectiveTheme(choice);
  save(STORE, choice === 'auto' ? null : choice);
}

/** The theme in effect after the system preference is taken into account. */
export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'auto') return choice;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/** A colour defined in styles.css, for canvas drawing (charts, graph). */
export function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}
