import type { Statement } from 'better-sqlite3';
import { TributaryError } from '../../domain/errors.ts';
import type { Params, StatementCache } from './store-sql.ts';

/**
 * Rows per statement. better-sqlite3 pays for each run (the call into native code, the
 * step and reset, a result object) on top of the row's own work: 100,000 feed rows in
 * pages of 2,000 took 447-563 ms one row to a statement, 344-352 ms with 50 (scratch
 * benchmark on this table's shape); 100 gained nothing more.
 */
export const ROWS_PER_STATEMENT = 50;

/**
 * Inserts many rows of one shape with multi-row statements (`INSERT ... VALUES (...), (...)`),
 * ROWS_PER_STATEMENT at a time, the last few one by one. Rows go in in the order added.
 *
 * The insert must say OR FAIL or OR IGNORE. A statement of several rows that may ABORT
 * (SQLite's default) keeps a statement journal to undo its own rows, and that journal
 * spills to a temp file past 64 KiB: bench:ingest wrote 2,150 MB instead of 1,200.
 * FAIL stops at the failing row and keeps the rows before it, as a run of single-row
 * statements would; the caller's transaction rolls back the rest. (With foreign keys on,
 * SQLite keeps the journal anyway: only the pull's pages run with them off.)
 */
export class RowInserter {
  readonly #one: Statement<Params, unknown>;
  readonly #many: Statement<Params, unknown>;
  readonly #width: number;
  readonly #args: unknown[];
  readonly #shared: Readonly<Record<string, unknown>>;
  #rows = 0;

  /**
   * `insert` is everything before VALUES: `INSERT OR FAIL INTO t (a, b, c)`. `row` is one
   * row's values: `?` for each value `add` gives, and `@name` for a value every row shares
   * (in `shared`), bound once per statement instead of once per row: `(?, @tenantId, ?)`.
   */
  constructor(statements: StatementCache, insert: string, row: string, shared: Readonly<Record<string, unknown>> = {}) {
    if (!/^INSERT OR (FAIL|IGNORE) INTO /.test(insert)) throw new TributaryError('INTERNAL', `A multi-row insert must say OR FAIL or OR IGNORE: ${insert}`);
    this.#one = statements.get(`${insert} VALUES ${row}`);
    this.#many = statements.get(`${insert} VALUES ${new Array<string>(ROWS_PER_STATEMENT).fill(row).join(', ')}`);
    this.#width = row.split('?').length - 1;
    this.#args = new Array<unknown>(this.#width * ROWS_PER_STATEMENT);
    this.#shared = shared;
  }

  add(...values: unknown[]): void {
    if (values.length !== this.#width) throw new TributaryError('INTERNAL', `A row of ${values.length} values for ${this.#width} columns`);
    const args = this.#args;
    const at = this.#rows * this.#width;
    // An index loop: `for...of` made an iterator per row (about 50 MB over 100,000 contacts).
    for (let i = 0; i < values.length; i++) args[at + i] = values[i];
    if (++this.#rows === ROWS_PER_STATEMENT) {
      this.#rows = 0;
      this.#many.run(args, this.#shared);
    }
  }

  /** Inserts the rows added since the last full statement; call it once after the last `add`. */
  flush(): void {
    const width = this.#width;
    for (let row = 0; row < this.#rows; row++) this.#one.run(this.#args.slice(row * width, (row + 1) * width), this.#shared);
    this.#rows = 0;
    // The values are the page's strings: let them go with it.
    this.#args.fill(undefined);
  }
}
