/** The header cells of a sortable table: one button per column, the sorted one marked. */
import type { SortColumn, SortState } from '../lib/table-sort';

interface Props<T> {
  columns: SortColumn<T>[];
  sort: SortState;
  onSort(key: string): void;
}

export function SortHead<T>({ columns, sort, onSort }: Props<T>) {
  return (
    <>
      {columns.map((c) => (
        <th key={c.key} title={c.title} class={c.text === true || c.left === true ? '' : 'num'} aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
          <button type="button" data-sort={c.key} onClick={() => onSort(c.key)}>
            {c.label}
            {sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}
          </button>
        </th>
      ))}
    </>
  );
}
