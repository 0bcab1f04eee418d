/**
 * The column types on which the SQLite and PostgreSQL drivers disagree, and how each
 * backend decodes them, so one row mapper (see the other modules of this folder) serves
 * both: JSON columns arrive as text from SQLite but already parsed from PostgreSQL
 * jsonb; booleans arrive as 0/1 from SQLite but as true/false from PostgreSQL.
 * Text, integer and nullable columns arrive alike and need no decoder.
 */
export interface ColumnTypes {
  /** A JSON (SQLite TEXT, PostgreSQL jsonb) column as the driver returns it. */
  readonly json: unknown;
  /** A boolean (SQLite INTEGER 0/1, PostgreSQL boolean) column as the driver returns it. */
  readonly bool: unknown;
}

/** better-sqlite3: JSON is text, booleans are 0 or 1. */
export interface SqliteColumnTypes extends ColumnTypes {
  readonly json: string;
  readonly bool: number;
}

/** pg: jsonb arrives parsed, booleans as booleans. */
export interface PgColumnTypes extends ColumnTypes {
  readonly json: unknown;
  readonly bool: boolean;
}

/** Turns a backend's JSON and boolean columns into domain values. */
export interface ColumnDecoders<C extends ColumnTypes> {
  /** The value of a JSON column; `T` is trusted (the repository wrote it). */
  json<T>(value: C['json']): T;
  bool(value: C['bool']): boolean;
}

export const SQLITE_COLUMNS: ColumnDecoders<SqliteColumnTypes> = {
  json: <T>(text: string): T => JSON.parse(text) as T,
  bool: (value: number): boolean => value === 1,
};

export const PG_COLUMNS: ColumnDecoders<PgColumnTypes> = {
  json: <T>(value: unknown): T => value as T,
  bool: (value: boolean): boolean => value,
};
