import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOG, ERROR_CATEGORIES } from '../../../domain/errors.ts';
import type { ErrorCode } from '../../../domain/errors.ts';
import { HTTP_STATUS_BY_CODE } from './http-status.ts';

const DOCS = new URL('../../../../docs/errors.md', import.meta.url);
const ROW = /^\| `([A-Z_]+)` \| ([a-z_]+) \| (\d{3}) \| (.*) \|$/;

interface DocRow {
  category: string;
  status: number;
  doc: string;
}

function docRows(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const line of readFileSync(DOCS, 'utf8').split('\n')) {
    const match = ROW.exec(line.trim());
    if (!match) continue;
    const [, code, category, status, doc] = match as unknown as [string, string, string, string, string];
    expect(rows.has(code), `docs/errors.md lists ${code} twice`).toBe(false);
    rows.set(code, { category, status: Number(status), doc });
  }
  return rows;
}

/** The line docs/errors.md should have for a code, to paste when this test fails. */
function expectedRow(code: ErrorCode): string {
  const entry = ERROR_CATALOG[code];
  return `| \`${code}\` | ${entry.category} | ${HTTP_STATUS_BY_CODE[code] ?? '<status>'} | ${entry.doc} |`;
}

describe('error catalog integrity', () => {
  const codes = Object.keys(ERROR_CATALOG) as ErrorCode[];

  it('gives every code an explicit HTTP status, and only catalog codes', () => {
    const missing = codes.filter((code) => HTTP_STATUS_BY_CODE[code] === undefined);
    expect(missing, 'add these codes to HTTP_STATUS_BY_CODE in src/runtime/api/errors/http-status.ts').toEqual([]);
    expect(Object.keys(HTTP_STATUS_BY_CODE).filter((code) => !(code in ERROR_CATALOG))).toEqual([]);
    for (const code of codes) {
      const status = HTTP_STATUS_BY_CODE[code] ?? 0;
      expect(status >= 400 && status <= 599, `${code} maps to ${status}`).toBe(true);
    }
  });

  it('maps categories to statuses that tell clients the same thing', () => {
    for (const code of codes) {
      const status = HTTP_STATUS_BY_CODE[code] ?? 0;
      const category = ERROR_CATALOG[code].category;
      expect(ERROR_CATEGORIES).toContain(category);
      // A 4xx other than 408/409/423/429 says "do not retry as is": a retryable category must not get one.
      if (category === 'transient' || category === 'rate_limit') {
        expect([409, 429, 500, 502, 503, 504], `${code} is ${category} but maps to ${status}`).toContain(status);
      }
      if (category === 'rate_limit') expect(status, code).toBe(429);
      if (category === 'bad_data' && status < 500) expect(status === 400 || status === 413 || status === 422, code).toBe(true);
    }
  });

  it('agrees with docs/errors.md: same codes, categories, statuses and doc lines', () => {
    const rows = docRows();
    const undocumented = codes.filter((code) => !rows.has(code));
    expect(undocumented.map(expectedRow), 'add these rows to docs/errors.md').toEqual([]);
    expect([...rows.keys()].filter((code) => !(code in ERROR_CATALOG)), 'docs/errors.md lists codes the catalog does not have').toEqual([]);
    for (const code of codes) {
      const row = rows.get(code);
      expect(row === undefined ? '' : `| \`${code}\` | ${row.category} | ${row.status} | ${row.doc} |`, `docs/errors.md row of ${code}`).toBe(
        expectedRow(code),
      );
    }
  });
});
