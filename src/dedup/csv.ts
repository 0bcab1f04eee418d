/**
 * A small RFC 4180 CSV reader and writer (pure: text in, text out).
 *
 * Written here rather than adding `csv-parse` because the engine needs only this much:
 * quoted fields with `""` escapes, embedded commas and line breaks, CRLF or LF, a byte
 * order mark, and blanks around unquoted values trimmed (FEBRL puts a space after every
 * comma). ~80 lines with tests beat a dependency with its own option surface.
 */
import { TributaryError } from '../domain/errors.ts';

/**
 * Parses CSV text into rows of fields. Unquoted fields are trimmed; quoted fields keep
 * their content exactly (blanks outside the quotes are ignored). Blank lines are skipped.
 * @throws TributaryError VALIDATION_FAILED on an unterminated quote or text after a closing quote.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const endField = (): void => {
    row.push(quoted ? field : field.trim());
    field = '';
    quoted = false;
  };
  const endRow = (): void => {
    endField();
    if (!(row.length === 1 && row[0] === '')) rows.push(row);
    row = [];
  };
  while (i < n) {
    const ch = text[i] as string;
    if (ch === '"' && field.trim() === '' && !quoted) {
      // Opening quote: read to the closing one.
      quoted = true;
      field = '';
      const start = line;
      i++;
      for (;;) {
        if (i >= n) throw new TributaryError('VALIDATION_FAILED', `CSV: unterminated quoted field starting on line ${start}`, { field: `line ${start}` });
        const c = text[i] as string;
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (c === '\n') line++;
        field += c;
        i++;
      }
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (i < n && text[i] !== ',' && text[i] !== '\n' && text[i] !== '\r') {
        throw new TributaryError('VALIDATION_FAILED', `CSV: unexpected text after a closing quote on line ${line}`, { field: `line ${line}` });
      }
      continue;
    }
    if (ch === ',') endField();
    else if (ch === '\n') {
      endRow();
      line++;
    } else if (ch === '\r') {
      if (text[i + 1] !== '\n') {
        endRow();
        line++;
      }
    } else field += ch;
    i++;
  }
  if (field !== '' || quoted || row.length > 0) endRow();
  return rows;
}

/** Quotes a field when it holds a comma, quote, line break or outer blank. */
export function formatCsvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One CSV line (with its LF). */
export function formatCsvRow(values: readonly (string | number)[]): string {
  return `${values.map((value) => formatCsvField(String(value))).join(',')}\n`;
}
