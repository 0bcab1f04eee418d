/**
 * `tributary dedup FILE.csv [FILE2.csv]`: the deduplication engine over CSV exports, the
 * way csvdedupe serves a user. One file: duplicates inside it. Two files: links from the
 * first (left) to the second (right). Writes `left_id,right_id,score`, one row per pair at
 * or above the match threshold, to `--output` or stdout; a summary (and, for big files,
 * progress) goes to stderr.
 *
 * Without `--fields` the comparable columns are inferred from names and contents; with two
 * files, columns are paired by kind (so `email` meets `E-mail Address`). Without
 * `--id-column` the id is an id-like column (see `guessIdColumn`), else the row's number
 * (1 for the first data row).
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import type { CountryCode } from 'libphonenumber-js';
import { TributaryError } from '../../domain/errors.ts';
import { findDuplicates, formatCsvRow, inferFieldKind, inferFields, linkRecords, parseCsv, DEFAULT_THRESHOLDS } from '../../dedup/index.ts';
import type { DedupRecord, DedupResult, DedupRules, FieldRule, ProgressListener } from '../../dedup/index.ts';

/** What `runDedup` needs: the command line, parsed. */
export interface DedupCommandOptions {
  /** One CSV (dedup) or two (link left -> right). */
  readonly files: readonly string[];
  readonly idColumn?: string;
  /** Columns to compare; inferred when absent. */
  readonly fields?: readonly string[];
  /** Where to write the pairs; stdout when absent. */
  readonly output?: string;
  /** Region for phone numbers without a country code (`GB`, `US`). */
  readonly region?: string;
  /** Match threshold (probability) instead of the default 0.9. */
  readonly threshold?: number;
  /** Injected streams (tests); default process.stdout / process.stderr. */
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WritableStream;
}

/** Files with at least this many records get progress lines on stderr. */
const PROGRESS_FROM_RECORDS = 20_000;
const ID_COLUMN_NAMES = /^(id|rec_?id|record_?id|uuid|guid|key)$/i;
const SAMPLE_ROWS = 500;

interface Table {
  readonly file: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Index of the id column, or -1 for line numbers. */
  readonly idIndex: number;
}

function readTable(file: string, idColumn: string | undefined): Table {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TributaryError('NOT_FOUND', `file not found: ${file}`, { field: 'FILE' });
    throw new TributaryError('VALIDATION_FAILED', `cannot read ${file}: ${(error as Error).message}`, { field: 'FILE', cause: error });
  }
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) throw new TributaryError('VALIDATION_FAILED', `${file} is empty: a header row is needed`, { field: 'FILE' });
  let idIndex: number;
  if (idColumn !== undefined) {
    idIndex = header.indexOf(idColumn);
    if (idIndex < 0) throw new TributaryError('VALIDATION_FAILED', `id column "${idColumn}" is not in ${file}; its columns are: ${header.join(', ')}`, { field: '--id-column' });
  } else idIndex = guessIdColumn(header, rows);
  return { file, header, rows, idIndex };
}

/**
 * The id column when none was named: one called `id`, `rec_id`, `record_id`, `uuid`, `guid`
 * or `key`; else the first `..._id` / `... ID` column whose values are all present and
 * distinct and that is not an identity number (`soc_sec_id`); else -1 (line numbers).
 */
function guessIdColumn(header: readonly string[], rows: readonly (readonly string[])[]): number {
  const named = header.findIndex((column) => ID_COLUMN_NAMES.test(column.trim()));
  if (named >= 0) return named;
  return header.findIndex((column, index) => {
    if (!/(^|[\s_-])(id|uuid)$/i.test(column.trim())) return false;
    if (inferFieldKind(column, []) !== null && inferFieldKind(column, [])?.kind !== 'text') return false;
    const values = new Set<string>();
    for (const row of rows) {
      const value = row[index] ?? '';
      if (value === '' || values.has(value)) return false;
      values.add(value);
    }
    return true;
  });
}

/** A comparable field: the rule (named canonically) and, per table, the column it reads. */
interface FieldBinding {
  readonly rule: FieldRule;
  readonly columns: readonly number[];
}

function sampleValues(table: Table, index: number): string[] {
  return table.rows.slice(0, SAMPLE_ROWS).map((row) => row[index] ?? '').filter((value) => value !== '');
}

/** Fields named on the command line: each must be a column of every table. */
function namedFields(tables: readonly Table[], names: readonly string[]): FieldBinding[] {
  return names.map((name) => {
    const columns = tables.map((table) => {
      const index = table.header.indexOf(name);
      if (index < 0) throw new TributaryError('VALIDATION_FAILED', `unknown field "${name}": not a column of ${table.file} (columns: ${table.header.join(', ')})`, { field: '--fields' });
      if (index === table.idIndex) throw new TributaryError('VALIDATION_FAILED', `field "${name}" is the id column`, { field: '--fields' });
      return index;
    });
    const first = tables[0] as Table;
    const inferred = inferFieldKind(name, sampleValues(first, columns[0] as number));
    const kind = inferred?.kind ?? 'text';
    return { rule: { field: name, kind }, columns };
  });
}

/** Inferred fields; with two tables, paired by kind in column order (the n-th address with the n-th address). */
function inferredFields(tables: readonly Table[]): FieldBinding[] {
  const perTable = tables.map((table) => {
    const exclude = table.idIndex >= 0 ? [table.header[table.idIndex] as string] : [];
    return inferFields(table.header, table.rows.slice(0, SAMPLE_ROWS), exclude).map((rule) => ({ rule, index: table.header.indexOf(rule.field) }));
  });
  const [first, ...others] = perTable;
  const bindings: FieldBinding[] = [];
  const seenKinds = new Map<string, number>();
  for (const { rule, index } of first ?? []) {
    const occurrence = seenKinds.get(rule.kind) ?? 0;
    seenKinds.set(rule.kind, occurrence + 1);
    const columns = [index];
    for (const other of others) {
      const match = other.filter((candidate) => candidate.rule.kind === rule.kind)[occurrence];
      if (match !== undefined) columns.push(match.index);
    }
    if (columns.length === tables.length) {
      const field = occurrence === 0 ? rule.kind : `${rule.kind}#${occurrence + 1}`;
      bindings.push({ rule: { ...rule, field }, columns });
    }
  }
  if (bindings.length === 0) {
    throw new TributaryError('VALIDATION_FAILED', `no comparable columns found in ${tables.map((t) => t.file).join(' and ')}; name them with --fields`, { field: '--fields' });
  }
  return bindings;
}

function toRecords(table: Table, bindings: readonly FieldBinding[], tableIndex: number): DedupRecord[] {
  const seen = new Set<string>();
  return table.rows.map((row, r) => {
    const id = table.idIndex >= 0 ? (row[table.idIndex] ?? '') : String(r + 1);
    if (id === '') throw new TributaryError('VALIDATION_FAILED', `${table.file}: data row ${r + 1} has an empty id`, { field: '--id-column' });
    if (seen.has(id)) throw new TributaryError('VALIDATION_FAILED', `${table.file}: id "${id}" appears more than once; choose a unique --id-column`, { field: '--id-column' });
    seen.add(id);
    const fields: Record<string, string> = {};
    for (const binding of bindings) fields[binding.rule.field] = row[binding.columns[tableIndex] as number] ?? '';
    return { id, fields };
  });
}

function progressReporter(stderr: NodeJS.WritableStream, records: number): ProgressListener | undefined {
  if (records < PROGRESS_FROM_RECORDS) return undefined;
  let last = 0;
  return (phase, done, total) => {
    const now = Date.now();
    if (done !== total && done !== 0 && now - last < 500) return;
    last = now;
    stderr.write(`dedup: ${phase} ${done}/${total}\n`);
  };
}

/** Writes to stdout; a reader that went away (`| head`) is not an error. */
function writeOut(stdout: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EPIPE') resolve();
      else reject(error);
    };
    stdout.once('error', onError);
    stdout.write(text, (error) => {
      // On failure the stream also emits 'error' afterwards: the listener stays to take it.
      if (error) onError(error);
      else {
        stdout.removeListener('error', onError);
        resolve();
      }
    });
  });
}

/**
 * Runs `tributary dedup`.
 * @throws TributaryError NOT_FOUND for a missing file; VALIDATION_FAILED for a bad id
 *   column, an unknown field, no comparable column, unparsable CSV or a bad option.
 */
export async function runDedup(options: DedupCommandOptions): Promise<void> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  if (options.files.length < 1 || options.files.length > 2) throw new TributaryError('VALIDATION_FAILED', 'dedup takes one CSV file (dedup) or two (link)', { field: 'FILE' });
  const threshold = options.threshold ?? DEFAULT_THRESHOLDS.match;
  if (!(threshold > 0 && threshold < 1)) throw new TributaryError('VALIDATION_FAILED', '--threshold must be between 0 and 1', { field: '--threshold' });
  const region = options.region?.toUpperCase();
  if (region !== undefined && !/^[A-Z]{2}$/.test(region)) throw new TributaryError('VALIDATION_FAILED', '--region must be a two-letter country code', { field: '--region' });
  const started = Date.now();
  const tables = options.files.map((file) => readTable(file, options.idColumn));
  const bindings = options.fields !== undefined && options.fields.length > 0 ? namedFields(tables, options.fields) : inferredFields(tables);
  const recordSets = tables.map((table, i) => toRecords(table, bindings, i));
  const totalRecords = recordSets.reduce((sum, set) => sum + set.length, 0);
  const rules: DedupRules = {
    entityType: 'csv',
    fields: bindings.map((binding) => binding.rule),
    thresholds: { match: threshold, review: Math.min(DEFAULT_THRESHOLDS.review, threshold) },
    ...(region === undefined ? {} : { defaultRegion: region as CountryCode }),
  };
  stderr.write(`dedup: ${totalRecords} records; comparing ${bindings.map((b) => `${tables[0]?.header[b.columns[0] as number]} (${b.rule.kind})`).join(', ')}\n`);
  const onProgress = progressReporter(stderr, totalRecords);
  const progressOption = onProgress === undefined ? {} : { onProgress };
  const [left = [], right = []] = recordSets;
  const result: DedupResult = tables.length === 1 ? findDuplicates(left, rules, progressOption) : linkRecords(left, right, rules, progressOption);
  const lines = ['left_id,right_id,score\n'];
  let written = 0;
  for (const pair of result.pairs) {
    if (pair.decision !== 'match') continue;
    lines.push(formatCsvRow([pair.leftId, pair.rightId, pair.score.toFixed(4)]));
    written++;
  }
  const text = lines.join('');
  if (options.output !== undefined) fs.writeFileSync(options.output, text);
  else await writeOut(stdout, text);
  const seconds = ((Date.now() - started) / 1000).toFixed(2);
  stderr.write(`dedup: ${result.stats.candidatePairs} candidate pairs, ${written} matched pairs${options.output === undefined ? '' : ` written to ${options.output}`} (${result.stats.reviews} more below the threshold but worth a look), ${seconds}s\n`);
}

/**
 * Registers `dedup` on the CLI program (commander 14). Failures reject the action with
 * the TributaryError (NOT_FOUND, VALIDATION_FAILED), for the program's one-line error
 * handler (main.ts) to print.
 */
export function registerDedupCommand(program: Command): Command {
  return program
    .command('dedup')
    .description('find duplicate records in a CSV file, or link the records of two CSV files; writes left_id,right_id,score')
    .argument('<file>', 'CSV file (with a header row)')
    .argument('[file2]', 'second CSV file: link records of <file> (left) to this one (right)')
    .option('--id-column <column>', 'column holding each record\'s id (default: an id-like column, else the row number)')
    .option('--fields <columns>', 'comma-separated columns to compare (default: inferred from names and contents)')
    .option('--output <file>', 'write the pairs here instead of stdout')
    .option('--region <country>', 'region for phone numbers without a country code, e.g. GB')
    .option('--threshold <probability>', `match threshold (default ${DEFAULT_THRESHOLDS.match})`, Number.parseFloat)
    .action(async (file: string, file2: string | undefined, flags: { idColumn?: string; fields?: string; output?: string; region?: string; threshold?: number }) => {
      await runDedup({
        files: file2 === undefined ? [file] : [file, file2],
        ...(flags.idColumn === undefined ? {} : { idColumn: flags.idColumn }),
        ...(flags.fields === undefined ? {} : { fields: flags.fields.split(',').map((name) => name.trim()).filter((name) => name !== '') }),
        ...(flags.output === undefined ? {} : { output: flags.output }),
        ...(flags.region === undefined ? {} : { region: flags.region }),
        ...(flags.threshold === undefined ? {} : { threshold: flags.threshold }),
      });
    });
}
