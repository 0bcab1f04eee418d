import { validation } from '../errors.ts';
import { propertyPlainValue } from '../data/serialize.ts';
import type { NotionStore } from '../data/store.ts';
import type { DataSourceRecord, PageRecord } from '../data/model.ts';

/** A comparable key: compared position by position; the last entries break ties. */
export type SortKey = (string | number)[];

export interface CompiledSort {
  keyOf(page: PageRecord): SortKey;
  /** Per key position: 1 ascending, -1 descending. */
  directions: number[];
}

type Obj = Record<string, unknown>;

function comparable(value: unknown): string | number {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (Array.isArray(value)) return value.join(',');
  return String(value).toLowerCase();
}

/**
 * Compiles Notion `sorts` (`{property, direction}` or `{timestamp, direction}`). Without
 * sorts, Notion returns pages newest-created first. Creation time and id always end the
 * key so that the order is total and cursors are stable.
 */
export function compileSorts(store: NotionStore, ds: DataSourceRecord, sorts: unknown): CompiledSort {
  const parts: ((page: PageRecord) => string | number)[] = [];
  const directions: number[] = [];
  const list = sorts === undefined ? [] : sorts;
  if (!Array.isArray(list)) throw validation('body failed validation: body.sorts should be an array.');
  for (const raw of list as unknown[]) {
    const sort = raw as Obj;
    const direction = sort.direction === 'descending' ? -1 : sort.direction === 'ascending' ? 1 : 0;
    if (direction === 0) throw validation('body failed validation: body.sorts[].direction should be "ascending" or "descending".');
    if (sort.timestamp === 'created_time') parts.push((p) => p.createdAt - (p.createdAt % 60_000));
    else if (sort.timestamp === 'last_edited_time') parts.push((p) => p.editedAt - (p.editedAt % 60_000));
    else if (typeof sort.property === 'string') {
      const schema = store.propertyOf(ds, sort.property);
      if (!schema) throw validation(`Could not find sort property with name or id: ${sort.property}`);
      parts.push((p) => comparable(propertyPlainValue(store, ds, p, schema)));
    } else throw validation('body failed validation: body.sorts[] should define property or timestamp.');
    directions.push(direction);
  }
  parts.push((p) => p.createdAt, (p) => p.id);
  directions.push(list.length === 0 ? -1 : 1, 1);
  return { keyOf: (page) => parts.map((f) => f(page)), directions };
}

export function compareKeys(a: SortKey, b: SortKey, directions: number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x === y) continue;
    const d = directions[i] ?? 1;
    return (x < y ? -1 : 1) * d;
  }
  return 0;
}
