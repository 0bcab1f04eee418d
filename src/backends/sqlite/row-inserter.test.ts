import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from './database.ts';
import { ROWS_PER_STATEMENT, RowInserter } from './row-inserter.ts';
import { StatementCache } from './store-sql.ts';

let dir: string;
let db: SqliteDatabase;
let statements: StatementCache;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tributary-rows-'));
  db = openDatabase({ path: join(dir, 'rows.db') });
  db.exec('CREATE TABLE t (seq INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n INTEGER)');
  db.exec('CREATE TABLE k (h INTEGER NOT NULL, v TEXT NOT NULL)');
  db.exec('CREATE UNIQUE INDEX k_h ON k (h)');
  statements = new StatementCache(db);
});

afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const names = (): string[] => db.prepare('SELECT name FROM t ORDER BY seq').pluck().all() as string[];

describe('RowInserter', () => {
  it('inserts every row in the order added, whether the count fills statements exactly or not', () => {
    for (const count of [0, 1, ROWS_PER_STATEMENT - 1, ROWS_PER_STATEMENT, ROWS_PER_STATEMENT + 1, 3 * ROWS_PER_STATEMENT + 7]) {
      db.exec('DELETE FROM t');
      const rows = new RowInserter(statements, 'INSERT OR FAIL INTO t (name, n)', '(?, ?)');
      const expected = Array.from({ length: count }, (_, i) => `row ${i}`);
      expected.forEach((name, i) => rows.add(name, i % 3 === 0 ? null : i));
      rows.flush();
      expect(names()).toEqual(expected);
      expect(db.prepare('SELECT n FROM t ORDER BY seq').pluck().all()).toEqual(expected.map((_, i) => (i % 3 === 0 ? null : i)));
    }
  });

  it('binds the values every row shares once, by name, into every row', () => {
    const rows = new RowInserter(statements, 'INSERT OR FAIL INTO t (name, n)', '(?, @n)', { n: 7 });
    for (let i = 0; i < ROWS_PER_STATEMENT + 2; i++) rows.add(`row ${i}`);
    rows.flush();
    expect(db.prepare('SELECT DISTINCT n FROM t').pluck().all()).toEqual([7]);
    expect(names()).toHaveLength(ROWS_PER_STATEMENT + 2);
  });

  it('stops at a failing row and keeps the rows before it, as single-row statements would; a transaction rolls all of them back', () => {
    const failAt = ROWS_PER_STATEMENT + 20;
    const addAll = (rows: RowInserter) => {
      for (let i = 0; i < 2 * ROWS_PER_STATEMENT; i++) rows.add(i === failAt ? 'row 0' : `row ${i}`, i);
      rows.flush();
    };
    expect(() => addAll(new RowInserter(statements, 'INSERT OR FAIL INTO t (name, n)', '(?, ?)'))).toThrow(/UNIQUE/);
    expect(names()).toHaveLength(failAt);

    db.exec('DELETE FROM t');
    db.exec('BEGIN');
    expect(() => addAll(new RowInserter(statements, 'INSERT OR FAIL INTO t (name, n)', '(?, ?)'))).toThrow(/UNIQUE/);
    db.exec('ROLLBACK');
    expect(names()).toEqual([]);
  });

  it('skips a conflicting row with OR IGNORE and goes on', () => {
    const rows = new RowInserter(statements, 'INSERT OR IGNORE INTO t (name, n)', '(?, ?)');
    for (let i = 0; i < 2 * ROWS_PER_STATEMENT; i++) rows.add(`row ${i % ROWS_PER_STATEMENT}`, i);
    rows.flush();
    expect(names()).toEqual(Array.from({ length: ROWS_PER_STATEMENT }, (_, i) => `row ${i}`));
  });

  it('refuses an insert that could abort, and a row of the wrong width', () => {
    expect(() => new RowInserter(statements, 'INSERT INTO t (name, n)', '(?, ?)')).toThrow(/OR FAIL or OR IGNORE/);
    expect(() => new RowInserter(statements, 'INSERT OR FAIL INTO t (name, n)', '(?, ?)').add('only one')).toThrow(/1 values for 2 columns/);
  });

  // Linux only: the bytes this thread has written, which SQLite's temp files count in.
  const ioOfThisThread = '/proc/thread-self/io';
  it.skipIf(!existsSync(ioOfThisThread))('writes no statement journal: nothing reaches a file before the COMMIT, unlike an insert that may abort', () => {
    const written = (): number => Number(/^wchar: (\d+)$/m.exec(readFileSync(ioOfThisThread, 'utf8'))![1]);
    // Random keys into a unique index dirty most of its pages in every statement, which
    // is what makes an abortable statement's journal outgrow memory.
    let seed = 1;
    const random = (): number => (seed = (seed * 48271) % 2147483647);
    const fill = (insert: (h: number, v: string) => void, flush: () => void): number => {
      db.exec('BEGIN');
      for (let i = 0; i < 4000; i++) insert(random(), 'x'.repeat(40));
      flush();
      const before = written();
      for (let i = 0; i < 4000; i++) insert(random(), 'y'.repeat(40));
      flush();
      const during = written() - before;
      db.exec('ROLLBACK');
      return during;
    };
    // A journal writes whole pages. Less than one can still count: 8 bytes when a collection
    // posts a task to this thread's event loop (libuv wakes it through an eventfd).
    const page = db.pragma('page_size', { simple: true }) as number;
    const rows = new RowInserter(statements, 'INSERT OR FAIL INTO k (h, v)', '(?, ?)');
    expect(fill((h, v) => rows.add(h, v), () => rows.flush())).toBeLessThan(page);
    // The control: the same rows through a multi-row statement that may abort.
    const abortable = db.prepare(`INSERT INTO k (h, v) VALUES ${new Array(ROWS_PER_STATEMENT).fill('(?, ?)').join(', ')}`);
    const args: unknown[] = [];
    const insertAbortable = (h: number, v: string): void => {
      args.push(h, v);
      if (args.length === 2 * ROWS_PER_STATEMENT) abortable.run(args.splice(0));
    };
    expect(fill(insertAbortable, () => undefined)).toBeGreaterThan(page);
  });
});
