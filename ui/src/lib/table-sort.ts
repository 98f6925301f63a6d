/**
 * Column sorting for the dashboard's tables. A table's sort is kept in the address bar as
 * `sort=<column>` (descending) or `sort=<column>.asc`, so a sorted view can be shared.
 */

/** A sortable column: what it sorts by and how a cell shows it. */
export interface SortColumn<T> {
  key: string;
  label: string;
  title: string;
  value(r: T): number | string | null;
  format(r: T): string;
  /** Text columns sort A→Z first; numeric ones largest first. */
  text?: boolean;
  /** Left-aligned though it sorts like a number (a time). */
  left?: boolean;
}

export interface SortState { key: string; desc: boolean }

/** The sort a `sort` parameter names, or `fallback` when it names no column of this table. */
export function parseSort<T>(param: string, columns: SortColumn<T>[], fallback: SortState): SortState {
  const m = /^([A-Za-z0-9]+)(?:\.(asc|desc))?$/.exec(param);
  if (m === null || !columns.some((c) => c.key === m[1])) return fallback;
  return { key: m[1], desc: m[2] !== 'asc' };
}

/** The `sort` parameter for a state. */
export function formatSort(s: SortState): string {
  return s.desc ? s.key : `${s.key}.asc`;
}

/** The next state after a click on `key`: the other way on the same column, else its natural way. */
export function nextSort<T>(current: SortState, key: string, columns: SortColumn<T>[]): SortState {
  const text = columns.find((c) => c.key === key)?.text === true;
  return { key, desc: current.key === key ? !current.desc : !text };
}

function compare(a: number | string | null, b: number | string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return typeof a === 'string' || typeof b === 'string' ? String(a).localeCompare(String(b)) : a - b;
}

/** `rows` sorted by the state's column; missing values stay last whichever way it sorts. */
export function sortRows<T>(rows: T[], columns: SortColumn<T>[], s: SortState): T[] {
  const col = columns.find((c) => c.key === s.key) ?? columns[0];
  return [...rows].sort((a, b) => {
    const va = col.value(a);
    const vb = col.value(b);
    const c = compare(va, vb);
    if (va === null || vb === null) return c;
    return s.desc ? -c : c;
  });
}
