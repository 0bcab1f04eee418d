import { describe, expect, it } from 'vitest';
import { PG_COLUMNS, SQLITE_COLUMNS } from './columns.ts';
import { integrationFromRow, type IntegrationRow } from './integration-rows.ts';
import type { PgColumnTypes, SqliteColumnTypes } from './columns.ts';

const base = {
  id: 'int_1',
  tenant_id: 'ten_1',
  connection_id: 'con_1',
  object: 'contact',
  direction: 'pull',
  mapping_version: 2,
  priority: 'normal',
  cursor_updated_at: null,
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
} as const;

describe('column decoders', () => {
  it('read SQLite JSON text and 0/1 booleans', () => {
    expect(SQLITE_COLUMNS.json<{ a: number[] }>('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(SQLITE_COLUMNS.bool(1)).toBe(true);
    expect(SQLITE_COLUMNS.bool(0)).toBe(false);
  });

  it('pass PostgreSQL jsonb values and booleans through', () => {
    const value = { a: [1, 2] };
    expect(PG_COLUMNS.json(value)).toBe(value);
    expect(PG_COLUMNS.bool(false)).toBe(false);
  });

  it('let one mapper give the same record from either backend’s row', () => {
    const sqliteRow: IntegrationRow<SqliteColumnTypes> = {
      ...base,
      mapping: '{"email":"email"}',
      schedule: null,
      dedup_rules: '{}',
      conflict_strategy: '{"mode":"newest"}',
      field_ownership: '{}',
      enabled: 1,
      cursor: '{"page":3}',
    };
    const pgRow: IntegrationRow<PgColumnTypes> = {
      ...base,
      mapping: { email: 'email' },
      schedule: null,
      dedup_rules: {},
      conflict_strategy: { mode: 'newest' },
      field_ownership: {},
      enabled: true,
      cursor: { page: 3 },
    };
    const fromSqlite = integrationFromRow(SQLITE_COLUMNS)(sqliteRow);
    expect(fromSqlite).toEqual(integrationFromRow(PG_COLUMNS)(pgRow));
    expect(fromSqlite.enabled).toBe(true);
    expect(fromSqlite.cursor).toEqual({ page: 3 });
  });
});
