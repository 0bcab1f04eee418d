// @vitest-environment happy-dom
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from './api/client.ts';
import { DataTable } from './table.tsx';
import type { Column } from './table.tsx';
import { byAria, check, render } from './test-dom.ts';
import type { Rendered } from './test-dom.ts';

interface Row {
  id: string;
  name: string;
}
const COLUMNS: Column<Row>[] = [
  { header: 'Name', cell: (row) => row.name },
  { header: 'Actions', hideHeader: true, cell: (row) => <button type="button">Open {row.name}</button> },
];
const ROWS: Row[] = [
  { id: 'a', name: 'Ada' },
  { id: 'b', name: 'Bob' },
  { id: 'c', name: 'Cy' },
];

let view: Rendered | undefined;
afterEach(() => {
  view?.unmount();
  view = undefined;
});

function Selectable({ onChange }: { onChange(ids: string[]): void }) {
  const [selected, setSelected] = useState<Set<string>>(new Set());
  return (
    <DataTable
      caption="People"
      columns={COLUMNS}
      rows={ROWS}
      rowKey={(row) => row.id}
      empty="Nobody."
      selection={{
        selected,
        onChange: (next) => {
          setSelected(next);
          onChange([...next].sort());
        },
        disabled: (id) => id === 'c',
        label: (id) => `Select ${id}`,
      }}
    />
  );
}

describe('the shared table', () => {
  it('shows loading, then the empty message, or the error as an alert instead of rows', async () => {
    view = await render(<DataTable caption="People" columns={COLUMNS} rows={null} rowKey={(row) => row.id} loading empty="Nobody." />);
    expect(view.container.querySelector('[role=status]')?.textContent).toBe('Loading…');
    view.unmount();
    view = await render(<DataTable caption="People" columns={COLUMNS} rows={[]} rowKey={(row) => row.id} empty="Nobody yet." />);
    expect(view.container.querySelector('.empty')?.textContent).toBe('Nobody yet.');
    expect(view.container.querySelector('table')).toBeNull();
    view.unmount();
    view = await render(<DataTable caption="People" columns={COLUMNS} rows={null} rowKey={(row) => row.id} error={new ApiError(503, 'UNAVAILABLE', 'The store is down')} empty="Nobody." />);
    expect(view.container.querySelector('[role=alert]')?.textContent).toBe('UNAVAILABLE: The store is down');
    expect(view.container.querySelector('.empty')).toBeNull();
  });

  it('names its columns for screen readers, an actions column too', async () => {
    view = await render(<DataTable caption="People" columns={COLUMNS} rows={ROWS} rowKey={(row) => row.id} empty="Nobody." />);
    const headers = [...view.container.querySelectorAll('th')].map((th) => th.textContent);
    expect(headers).toEqual(['Name', 'Actions']);
    expect(view.container.querySelector('th .sr-only')?.textContent).toBe('Actions');
    expect(view.container.querySelector('caption')?.textContent).toBe('People');
    expect(view.container.querySelectorAll('tbody tr')).toHaveLength(3);
  });

  it('selects rows one by one or all at once, never the disabled ones', async () => {
    const seen: string[][] = [];
    view = await render(<Selectable onChange={(ids) => seen.push(ids)} />);
    const all = byAria(view.container, 'Select all: People');
    await check(all);
    expect(seen.at(-1)).toEqual(['a', 'b']);
    expect(all.checked).toBe(true);
    await check(byAria(view.container, 'Select a'));
    expect(seen.at(-1)).toEqual(['b']);
    expect(all.checked).toBe(false);
    expect(all.indeterminate).toBe(true);
    expect(byAria(view.container, 'Select c').disabled).toBe(true);
    await check(all);
    expect(seen.at(-1)).toEqual(['a', 'b']);
    await check(all);
    expect(seen.at(-1)).toEqual([]);
  });
});
