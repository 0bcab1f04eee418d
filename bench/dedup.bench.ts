/**
 * Deduplication benchmark on the FEBRL data sets (see ../shared/data/README.md):
 *
 * - dataset3: duplicates within one file; the true pairs are all pairs of records that
 *   share N in `rec-N-...`;
 * - dataset4a + dataset4b: linkage across two files, 5,000 true links.
 *
 * The engine runs exactly as `tributary dedup` does: fields inferred from the header and a
 * sample of values, default rules, no tuning per data set. The `rec_id` column is the
 * record id and the ground truth; it is excluded from the features.
 *
 * Prints a table per data set, then as its last line one JSON object. The headline pools
 * the two data sets' pairwise counts (true positives, false positives, false negatives
 * summed, then precision, recall and F1 computed once), and its records/s is all records
 * processed divided by the time taken: normalising, blocking, scoring and clustering (the
 * whole `findDuplicates` / `linkRecords` call), not reading the CSV. Each data set runs
 * several times; the headline takes each one's fastest run (the run least disturbed by
 * other processes, as `timeit` advises), and the table also shows the median run and the
 * process CPU time of the fastest-CPU run, which a busy machine inflates less than wall time.
 *
 *   node --import tsx bench/dedup.bench.ts [--runs N]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDuplicates, inferRules, linkRecords, parseCsv } from '../src/dedup/index.ts';
import type { DedupRecord, DedupResult, DedupRules } from '../src/dedup/index.ts';

const ID_COLUMN = 'rec_id';

/** Finds shared/data/febrl: $TRIBUTARY_DATA_DIR, else a `shared/data` beside the repo or above it. */
function findDataDir(): string {
  const fromEnv = process.env.TRIBUTARY_DATA_DIR;
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const candidates: string[] = [];
  if (fromEnv !== undefined && fromEnv !== '') candidates.push(path.join(fromEnv, 'febrl'), fromEnv);
  for (let dir = repoRoot; ; dir = path.dirname(dir)) {
    candidates.push(path.join(dir, 'shared', 'data', 'febrl'), path.join(dir, '..', 'shared', 'data', 'febrl'));
    if (path.dirname(dir) === dir) break;
  }
  const found = candidates.find((dir) => fs.existsSync(path.join(dir, 'dataset3.csv')));
  if (found === undefined) {
    console.error(`FEBRL data not found. Looked for dataset3.csv in:\n  ${[...new Set(candidates)].join('\n  ')}\nSet TRIBUTARY_DATA_DIR to the shared/data folder.`);
    process.exit(2);
  }
  return found;
}

interface Table {
  readonly header: string[];
  readonly rows: string[][];
  readonly records: DedupRecord[];
}

function load(file: string): Table {
  const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
  if (header === undefined) throw new Error(`${file} is empty`);
  const idIndex = header.indexOf(ID_COLUMN);
  const records = rows.map((row) => {
    const fields: Record<string, string> = {};
    header.forEach((column, i) => {
      if (i !== idIndex) fields[column] = row[i] ?? '';
    });
    return { id: row[idIndex] ?? '', fields };
  });
  return { header, rows, records };
}

/** The entity number N of `rec-N-org` / `rec-N-dup-K`: ground truth, used only for scoring the output. */
function entityOf(id: string): string {
  return id.split('-')[1] ?? id;
}

interface Timing {
  /** Fastest and median wall-clock seconds, and the fewest CPU seconds, over the runs. */
  readonly best: number;
  readonly median: number;
  readonly cpu: number;
}

interface Figures {
  readonly name: string;
  readonly records: number;
  readonly candidatePairs: number;
  readonly found: number;
  readonly truePairs: number;
  readonly truePositives: number;
  readonly timing: Timing;
}

function timeRuns(runs: number, run: () => DedupResult): { result: DedupResult; timing: Timing } {
  const walls: number[] = [];
  const cpus: number[] = [];
  let result: DedupResult | undefined;
  for (let r = 0; r < runs; r++) {
    const cpuStart = process.cpuUsage();
    const start = process.hrtime.bigint();
    result = run();
    walls.push(Number(process.hrtime.bigint() - start) / 1e9);
    const cpu = process.cpuUsage(cpuStart);
    cpus.push((cpu.user + cpu.system) / 1e6);
  }
  walls.sort((a, b) => a - b);
  return {
    result: result as DedupResult,
    timing: { best: walls[0] as number, median: walls[Math.floor(walls.length / 2)] as number, cpu: Math.min(...cpus) },
  };
}

function countTruePositives(result: DedupResult): { found: number; truePositives: number } {
  const matches = result.pairs.filter((pair) => pair.decision === 'match');
  const truePositives = matches.filter((pair) => entityOf(pair.leftId) === entityOf(pair.rightId)).length;
  return { found: matches.length, truePositives };
}

function dedupFigures(table: Table, rules: DedupRules, runs: number): Figures {
  const { result, timing } = timeRuns(runs, () => findDuplicates(table.records, rules));
  const sizes = new Map<string, number>();
  for (const record of table.records) sizes.set(entityOf(record.id), (sizes.get(entityOf(record.id)) ?? 0) + 1);
  let truePairs = 0;
  for (const size of sizes.values()) truePairs += (size * (size - 1)) / 2;
  return { name: 'dataset3 (dedup)', records: table.records.length, candidatePairs: result.stats.candidatePairs, truePairs, timing, ...countTruePositives(result) };
}

function linkFigures(left: Table, right: Table, rules: DedupRules, runs: number): Figures {
  const { result, timing } = timeRuns(runs, () => linkRecords(left.records, right.records, rules));
  const rightEntities = new Map<string, number>();
  for (const record of right.records) rightEntities.set(entityOf(record.id), (rightEntities.get(entityOf(record.id)) ?? 0) + 1);
  let truePairs = 0;
  for (const record of left.records) truePairs += rightEntities.get(entityOf(record.id)) ?? 0;
  return {
    name: 'dataset4a+4b (link)',
    records: left.records.length + right.records.length,
    candidatePairs: result.stats.candidatePairs,
    truePairs,
    timing,
    ...countTruePositives(result),
  };
}

function metrics(tp: number, found: number, truePairs: number): { precision: number; recall: number; f1: number } {
  const precision = found === 0 ? 0 : tp / found;
  const recall = truePairs === 0 ? 0 : tp / truePairs;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1 };
}

function printTable(figures: readonly Figures[]): void {
  const rows = figures.map((f) => {
    const m = metrics(f.truePositives, f.found, f.truePairs);
    const rate = (seconds: number): string => String(Math.round(f.records / seconds));
    return [f.name, f.records, f.candidatePairs, f.truePairs, f.found, f.truePositives, m.precision.toFixed(4), m.recall.toFixed(4), m.f1.toFixed(4), rate(f.timing.best), rate(f.timing.median), rate(f.timing.cpu)].map(String);
  });
  const head = ['data set', 'records', 'candidates', 'true pairs', 'pairs found', 'true pos.', 'precision', 'recall', 'F1', 'rec/s best', 'rec/s median', 'rec/s per CPU s'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

function main(): void {
  const runsFlag = process.argv.indexOf('--runs');
  const runs = runsFlag > 0 ? Math.max(1, Number(process.argv[runsFlag + 1]) || 15) : 15;
  const dir = findDataDir();
  const loadAverage = os.loadavg().map((value) => value.toFixed(2)).join(' ');
  console.log(`FEBRL data: ${dir}; ${runs} runs per data set; ${os.cpus().length} CPUs, load average ${loadAverage}`);
  const d3 = load(path.join(dir, 'dataset3.csv'));
  const d4a = load(path.join(dir, 'dataset4a.csv'));
  const d4b = load(path.join(dir, 'dataset4b.csv'));
  const rules3 = inferRules(d3.header, d3.rows.slice(0, 500), [ID_COLUMN]);
  const rules4 = inferRules(d4a.header, [...d4a.rows.slice(0, 250), ...d4b.rows.slice(0, 250)], [ID_COLUMN]);
  console.log(`inferred fields: ${rules3.fields.map((f) => `${f.field}:${f.kind}`).join(', ')}`);
  // Warm-up run so that JIT compilation is not timed.
  findDuplicates(d3.records, rules3);
  const figures = [dedupFigures(d3, rules3, runs), linkFigures(d4a, d4b, rules4, runs)];
  printTable(figures);
  const pooled = figures.reduce((sum, f) => ({
    tp: sum.tp + f.truePositives,
    found: sum.found + f.found,
    truePairs: sum.truePairs + f.truePairs,
    records: sum.records + f.records,
    seconds: sum.seconds + f.timing.best,
  }), { tp: 0, found: 0, truePairs: 0, records: 0, seconds: 0 });
  const headline = metrics(pooled.tp, pooled.found, pooled.truePairs);
  console.log(`pooled: precision ${headline.precision.toFixed(4)}, recall ${headline.recall.toFixed(4)}, F1 ${headline.f1.toFixed(4)}, ${Math.round(pooled.records / pooled.seconds)} records/s`);
  console.log(JSON.stringify({
    precision: Number(headline.precision.toFixed(4)),
    recall: Number(headline.recall.toFixed(4)),
    f1: Number(headline.f1.toFixed(4)),
    recordsPerSec: Math.round(pooled.records / pooled.seconds),
  }));
}

main();
