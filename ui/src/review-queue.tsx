import { useState } from 'react';
import type { ReactNode } from 'react';
import type { ApiError } from './api/client.ts';
import type { BulkOutcome, Page } from './api/types.ts';
import { SelectField, asApiError } from './components.tsx';
import { RowButton } from './row-actions.tsx';
import { DataTable, LoadMore, usePaged } from './table.tsx';
import type { Column, Paged } from './table.tsx';

/** What review queues (conflicts, dedup reviews) share: a status filter, row selection, one row shown in detail, bulk decisions. */

export interface ReviewQueue<T, S extends string> {
  status: S;
  /** Changes the filter and forgets the selection and the row shown. */
  setStatus(status: S): void;
  selected: Set<string>;
  setSelected(next: Set<string>): void;
  shown: string | null;
  /** Shows a row, or hides it when it is the one shown. */
  toggle(id: string): void;
  notice: string | null;
  error: ApiError | null;
  setError(error: ApiError | null): void;
  list: Paged<T>;
  /** After a decision: says what happened, clears selection and detail, reloads the list. */
  decided(message: string): void;
  /** Runs a decision; its answer is passed to `decided`, its failure shown as the error. */
  run(decide: () => Promise<string>): Promise<void>;
}

export function useReviewQueue<T, S extends string>(initial: S, load: ((status: S, cursor: string | null) => Promise<Page<T>>) | null, deps: readonly unknown[]): ReviewQueue<T, S> {
  const [status, setStatusState] = useState<S>(initial);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [shown, setShown] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const list = usePaged<T>(load === null ? null : (cursor) => load(status, cursor), [...deps, status]);
  const decided = (message: string) => {
    setNotice(message);
    setSelected(new Set());
    setShown(null);
    list.reload();
  };
  return {
    status,
    setStatus: (next) => {
      setStatusState(next);
      setSelected(new Set());
      setShown(null);
    },
    selected,
    setSelected,
    shown,
    toggle: (id) => setShown(shown === id ? null : id),
    notice,
    error,
    setError,
    list,
    decided,
    run: async (decide) => {
      setError(null);
      try {
        decided(await decide());
      } catch (caught) {
        setError(asApiError(caught));
      }
    },
  };
}

/** The summary of a bulk decision: "3 of 4 conflicts resolved. Failed: cfl_1 (…)". */
export function bulkSummary(results: readonly BulkOutcome[], noun: string, verb: string): string {
  // Conflicts answer `status: 'failed'`, dedup reviews `ok: false`.
  const failed = results.filter((result) => result.ok === false || result.status === 'failed');
  return (
    `${results.length - failed.length} of ${results.length} ${noun} ${verb}.` +
    (failed.length > 0 ? ` Failed: ${failed.map((result) => `${result.id} (${result.error?.message ?? 'unknown'})`).join('; ')}` : '')
  );
}

export function StatusFilter<S extends string>({ statuses, queue }: { statuses: readonly S[]; queue: Pick<ReviewQueue<unknown, S>, 'status' | 'setStatus'> }) {
  return (
    <SelectField label="Status" value={queue.status} onChange={(event) => queue.setStatus(event.target.value as S)}>
      {statuses.map((value) => (
        <option key={value} value={value}>
          {value}
        </option>
      ))}
    </SelectField>
  );
}

export interface BulkAction {
  label: ReactNode;
  secondary?: boolean;
  run(): void;
}

/** The buttons that decide every selected row at once. */
export function BulkBar({ label, count, actions }: { label: string; count: number; actions: readonly BulkAction[] }) {
  return (
    <div className="bulk" role="group" aria-label={label}>
      <span className="muted">{count} selected</span>
      {actions.map((action, index) => (
        <button key={index} type="button" className={action.secondary ? 'secondary' : undefined} disabled={count === 0} onClick={action.run}>
          {action.label}
        </button>
      ))}
    </div>
  );
}

/** The last column: a button that opens the row in detail ("Review" while open, "Details" after). */
export function detailColumn<T extends { id: string; status: string }>(queue: Pick<ReviewQueue<T, string>, 'shown' | 'toggle'>, name: (row: T) => string): Column<T> {
  return {
    header: 'Actions',
    hideHeader: true,
    className: 'actions',
    cell: (row) => <RowButton label={row.status === 'open' ? 'Review' : 'Details'} name={name(row)} kind="secondary" expanded={queue.shown === row.id} onClick={() => queue.toggle(row.id)} />,
  };
}

/** The queue's list: rows can be ticked while the filter shows open ones; the row shown is highlighted. */
export function QueueTable<T extends { id: string }, S extends string>({ queue, caption, noun, empty, columns }: { queue: ReviewQueue<T, S>; caption: string; noun: string; empty: string; columns: readonly Column<T>[] }) {
  const open = queue.status === 'open';
  return (
    <>
      <DataTable
        caption={`${caption} (${queue.status})`}
        columns={columns}
        rows={queue.list.items}
        rowKey={(row) => row.id}
        loading={queue.list.loading}
        error={queue.list.error}
        empty={open ? empty : `No ${queue.status} ${noun}s.`}
        current={queue.shown}
        {...(open ? { selection: { selected: queue.selected, onChange: queue.setSelected, label: (id: string) => `Select ${noun} ${id}` } } : {})}
      />
      <LoadMore paged={queue.list} />
    </>
  );
}
