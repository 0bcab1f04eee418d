import { TributaryError, isTributaryError } from '../../domain/errors.ts';

/** A result row as pg returns it: column name to parsed value. */
export type PgRow = Record<string, unknown>;

/** What a statement returned: its rows and, for writes, how many rows it touched. */
export interface PgResult<R> {
  readonly rows: R[];
  readonly rowCount: number;
}

/**
 * What a PostgreSQL repository needs: run one parameterised statement ($1, $2 ...).
 * Outside a transaction each call takes a pooled connection for that statement alone
 * (so each repository method that is one statement is atomic on its own); inside one it
 * runs on the transaction's dedicated client. Either way a failure arrives translated
 * (see `translatePgError`).
 *
 * Parameters are sent as text: JSON values must be passed already encoded
 * (`toJson`), because pg would turn a JS array into a PostgreSQL array literal.
 */
export interface PgContext {
  query<R extends PgRow = PgRow>(text: string, params?: readonly unknown[]): Promise<PgResult<R>>;
  /**
   * Runs several statements as one atomic unit: outside a transaction on one pooled
   * client between BEGIN and COMMIT (READ COMMITTED: enough for writes whose statements
   * do not read-modify-write across each other); inside one, directly on it.
   */
  atomic<T>(work: (sql: PgContext) => Promise<T>): Promise<T>;
}

/** SQLSTATE classes and codes (PostgreSQL appendix A) the translation looks at. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const VALIDATION_CODES = new Set(['23502', '23514', '23P01']);
/** Serialization failure and deadlock: the transaction may succeed when run again. */
export const RETRYABLE_TRANSACTION_CODES = new Set(['40001', '40P01']);
/** 08: connection exception; 53: insufficient resources; 57P: operator intervention (shutdown, cannot connect now). */
const UNAVAILABLE_PREFIXES = ['08', '53', '57P', '58'];
/** Node socket errors and pg's own messages for a connection that went away. */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed/i;

function field(error: unknown, name: string): string {
  if (typeof error !== 'object' || error === null || !(name in error)) return '';
  const value = (error as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : '';
}

/**
 * Maps a pg failure to the error catalog: unique violation (23505) is CONFLICT, foreign
 * key violation (23503) is NOT_FOUND, NOT NULL/CHECK/exclusion violations and data
 * exceptions (class 22: a malformed value) are VALIDATION_FAILED, connection trouble,
 * resource exhaustion and shutdowns are STORE_UNAVAILABLE, serialization failures and
 * deadlocks are STORE_UNAVAILABLE too (retryable: run the transaction again), anything
 * else is INTERNAL. Messages name the constraint, table or column only, never `detail`
 * or a class 22 message, which can quote the offending value.
 */
export function translatePgError(error: unknown): TributaryError {
  if (isTributaryError(error)) return error;
  const code = field(error, 'code');
  const message = error instanceof Error ? error.message : String(error);
  const where = [field(error, 'table'), field(error, 'constraint') || field(error, 'column')].filter((part) => part !== '').join('.');
  if (code === UNIQUE_VIOLATION) {
    return new TributaryError('CONFLICT', `Already exists (${where || 'unique key'})`, { cause: error });
  }
  if (code === FOREIGN_KEY_VIOLATION) {
    return new TributaryError('NOT_FOUND', 'A referenced resource does not exist', { cause: error });
  }
  if (VALIDATION_CODES.has(code) || code.startsWith('22')) {
    return new TributaryError('VALIDATION_FAILED', `Invalid value (${where || `SQLSTATE ${code}`})`, { cause: error });
  }
  if (RETRYABLE_TRANSACTION_CODES.has(code)) {
    return new TributaryError('STORE_UNAVAILABLE', `PostgreSQL transaction conflicted with another one (SQLSTATE ${code}); retry it`, { cause: error });
  }
  if (UNAVAILABLE_PREFIXES.some((prefix) => code.startsWith(prefix)) || UNAVAILABLE_NODE_CODES.has(code) || UNAVAILABLE_MESSAGES.test(message)) {
    return new TributaryError('STORE_UNAVAILABLE', `PostgreSQL store unavailable: ${code || message}`, { cause: error });
  }
  return new TributaryError('INTERNAL', `PostgreSQL store failed: ${code || message}`, { cause: error });
}

/** The SQLSTATE of a pg error (or the TributaryError that wraps one), '' when none. */
export function sqlStateOf(error: unknown): string {
  const code = field(error, 'code');
  if (/^[0-9A-Z]{5}$/.test(code)) return code;
  return error instanceof Error && error.cause !== undefined ? sqlStateOf(error.cause) : '';
}

/** JSON goes in as text (JSONB columns parse it); pg hands JSONB back already parsed. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** `toJson` for an optional value: undefined (leave alone in a patch) becomes SQL NULL. */
export function toJsonOrNull(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
