import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiError } from './api/client.ts';
import type { Page } from './api/types.ts';
import { Empty, ErrorBanner, Loading, asApiError } from './components.tsx';

/** The list every page shows: a table with its loading, error and empty states, optional row checkboxes. */

export interface Column<T> {
  /** Header text; also names the column for screen readers. */
  header: string;
  cell(row: T): ReactNode;
  className?: string;
  /** Visually hidden header (an actions column). */
  hideHeader?: boolean;
}

export interface Selection {
  selected: ReadonlySet<string>;
  onChange(next: Set<string>): void;
  /** Rows that cannot be chosen (already decided). */
  disabled?(id: string): boolean;
  /** Names a row for its checkbox label ("Select conflict cfl_…"). */
  label(id: string): string;
}

export interface DataTableProps<T> {
  caption: string;
  columns: readonly Column<T>[];
  /** null while nothing has loaded yet. */
  rows: readonly T[] | null;
  rowKey(row: T): string;
  loading?: boolean;
  error?: ApiError | null;
  /** Shown when the list loaded and has no rows. */
  empty: ReactNode;
  selection?: Selection;
  /** Highlights one row (the one shown in detail). */
  current?: string | null;
}

export function DataTable<T>({ caption, columns, rows, rowKey, loading = false, error = null, empty, selection, current = null }: DataTableProps<T>) {
  return (
    <>
      <ErrorBanner error={error} />
      {loading && rows === null ? <Loading /> : null}
      {rows !== null && rows.length === 0 && error === null ? <Empty>{empty}</Empty> : null}
      {rows !== null && rows.length > 0 ? (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{caption}</caption>
            <thead>
              <tr>
                {selection ? (
                  <th scope="col" className="check">
                    <SelectAll ids={rows.map(rowKey)} selection={selection} caption={caption} />
                  </th>
                ) : null}
                {columns.map((column) => (
                  <th scope="col" key={column.header}>
                    {column.hideHeader ? <span className="sr-only">{column.header}</span> : column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const id = rowKey(row);
                return (
                  <tr key={id} aria-selected={current === null ? undefined : id === current}>
                    {selection ? (
                      <td className="check">
                        <input
                          type="checkbox"
                          aria-label={selection.label(id)}
                          checked={selection.selected.has(id)}
                          disabled={selection.disabled?.(id) ?? false}
                          onChange={(event) => {
                            const next = new Set(selection.selected);
                            if (event.target.checked) next.add(id);
                            else next.delete(id);
                            selection.onChange(next);
                          }}
                        />
                      </td>
                    ) : null}
                    {columns.map((column) => (
                      <td key={column.header} className={column.className}>
                        {column.cell(row)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}

function SelectAll({ ids, selection, caption }: { ids: string[]; selection: Selection; caption: string }) {
  const choosable = ids.filter((id) => !(selection.disabled?.(id) ?? false));
  const all = choosable.length > 0 && choosable.every((id) => selection.selected.has(id));
  const some = choosable.some((id) => selection.selected.has(id));
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (ref.current) ref.current.indeterminate = some && !all;
  }, [some, all]);
  return (
    <input
      ref={ref}
      type="checkbox"
      aria-label={`Select all: ${caption}`}
      checked={all}
      disabled={choosable.length === 0}
      onChange={(event) => selection.onChange(event.target.checked ? new Set(choosable) : new Set())}
    />
  );
}

export interface Paged<T> {
  items: T[] | null;
  error: ApiError | null;
  loading: boolean;
  /** True when the API has another page. */
  more: boolean;
  loadMore(): void;
  reload(): void;
}

/**
 * A cursor-paged list: the first page whenever `deps` change, then "load more" appends the
 * next one. `load(null)` is the first page; `load(cursor)` the following ones.
 */
export function usePaged<T>(load: ((cursor: string | null) => Promise<Page<T>>) | null, deps: readonly unknown[]): Paged<T> {
  const [items, setItems] = useState<T[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // Answers of an older generation (filters changed meanwhile) are dropped.
  const generation = useRef(0);

  useEffect(() => {
    const mine = ++generation.current;
    const current = loadRef.current;
    if (current === null) {
      setItems(null);
      setLoading(false);
      return;
    }
    setLoading(true);
    current(null).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems(page.items);
        setCursor(page.nextCursor);
        setError(null);
        setLoading(false);
      },
      (caught: unknown) => {
        if (mine !== generation.current) return;
        setItems(null);
        setError(asApiError(caught));
        setLoading(false);
      },
    );
  }, [...deps, tick]);

  const loadMore = useCallback(() => {
    const current = loadRef.current;
    if (cursor === null || current === null) return;
    const mine = generation.current;
    setLoading(true);
    current(cursor).then(
      (page) => {
        if (mine !== generation.current) return;
        setItems((previous) => [...(previous ?? []), ...page.items]);
        setCursor(page.nextCursor);
        setLoading(false);
      },
      (caught: unknown) => {
        if (mine !== generation.current) return;
        setError(asApiError(caught));
        setLoading(false);
      },
    );
  }, [cursor]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { items, error, loading, more: cursor !== null, loadMore, reload };
}

export function LoadMore({ paged, label = 'Load more' }: { paged: Paged<unknown>; label?: string }) {
  if (!paged.more) return null;
  return (
    <button type="button" className="secondary" onClick={paged.loadMore} disabled={paged.loading}>
      {label}
    </button>
  );
}

/** A value from the API as text: strings as they are, the rest as compact JSON; absent as a dash. */
export function show(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'string') return value === '' ? '""' : value;
  return JSON.stringify(value);
}
