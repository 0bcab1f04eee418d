import { describe, expect, it } from 'vitest';
import { TributaryError } from '../domain/errors.ts';
import { formatCsvField, formatCsvRow, parseCsv } from './csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with embedded commas, quotes and line breaks', () => {
    const text = 'id,name,note\n1,"Smith, Jane","said ""hi""\nthen left"\n2,Bob,\n';
    expect(parseCsv(text)).toEqual([
      ['id', 'name', 'note'],
      ['1', 'Smith, Jane', 'said "hi"\nthen left'],
      ['2', 'Bob', ''],
    ]);
  });

  it('trims blanks around unquoted values (FEBRL style) but keeps quoted content exactly', () => {
    expect(parseCsv('rec_id, given_name, surname\nrec-1-org, jonah , browne\n')).toEqual([
      ['rec_id', 'given_name', 'surname'],
      ['rec-1-org', 'jonah', 'browne'],
    ]);
    expect(parseCsv('a, " padded " ,b')).toEqual([['a', ' padded ', 'b']]);
  });

  it('handles CRLF, a byte order mark, blank lines and a missing final newline', () => {
    expect(parseCsv('\ufeffa,b\r\n\r\n1,2\r\n3,4')).toEqual([['a', 'b'], ['1', '2'], ['3', '4']]);
  });

  it('rejects an unterminated quote and text after a closing quote, naming the line', () => {
    expect(() => parseCsv('a,b\n1,"oops\n')).toThrow(TributaryError);
    expect(() => parseCsv('a,b\n1,"oops\n')).toThrow(/line 2/);
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/after a closing quote on line 2/);
  });
});

describe('formatCsvRow', () => {
  it('quotes only what needs quoting, and round-trips through parseCsv', () => {
    expect(formatCsvField('plain')).toBe('plain');
    expect(formatCsvField('a,b')).toBe('"a,b"');
    expect(formatCsvField(' x')).toBe('" x"');
    const row = ['x', 'Smith, "J"', 'two\nlines', '0.9500'];
    expect(parseCsv(formatCsvRow(row))).toEqual([row]);
  });
});
