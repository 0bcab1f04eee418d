import { describe, expect, it } from 'vitest';
import { parseSoql, SoqlError } from './soql.ts';

describe('SOQL parser', () => {
  it('parses fields, relationship paths, nested conditions, ordering and paging', () => {
    const q = parseSoql(
      "select Id, Account.Name FROM Contact WHERE (LastName LIKE 'O\\'Br%' OR Email != null) AND SystemModstamp >= 2024-01-15T10:30:00.000+0000 AND Id NOT IN ('a','b') ORDER BY SystemModstamp ASC, Id DESC NULLS FIRST LIMIT 10 OFFSET 5",
    );
    expect(q.select).toEqual(['Id', 'Account.Name']);
    expect(q.from).toBe('Contact');
    expect(q.orderBy).toEqual([
      { field: 'SystemModstamp', desc: false, nullsLast: false },
      { field: 'Id', desc: true, nullsLast: false },
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(5);
    expect(q.where).toEqual({
      kind: 'and',
      items: [
        {
          kind: 'or',
          items: [
            { kind: 'cmp', field: 'LastName', op: 'like', value: { kind: 'string', value: "O'Br%" } },
            { kind: 'cmp', field: 'Email', op: '!=', value: { kind: 'null' } },
          ],
        },
        { kind: 'cmp', field: 'SystemModstamp', op: '>=', value: { kind: 'datetime', ms: Date.parse('2024-01-15T10:30:00.000Z') } },
        { kind: 'in', field: 'Id', not: true, values: [{ kind: 'string', value: 'a' }, { kind: 'string', value: 'b' }] },
      ],
    });
  });

  it('reads dates, date constants, booleans, numbers and COUNT()', () => {
    const q = parseSoql('SELECT COUNT() FROM Opportunity WHERE CloseDate > 2024-02-01 AND CreatedDate = LAST_N_DAYS:30 AND Amount <> 5.5 AND IsDeleted = TRUE');
    expect(q.count).toBe(true);
    expect(q.where).toMatchObject({
      items: [
        { value: { kind: 'date', text: '2024-02-01' } },
        { value: { kind: 'relative', name: 'LAST_N_DAYS', n: 30 } },
        { op: '!=', value: { kind: 'number', value: 5.5 } },
        { value: { kind: 'boolean', value: true } },
      ],
    });
    expect(parseSoql('SELECT Id FROM Contact WHERE LastModifiedDate > 2024-01-01T00:00:00Z').where).toMatchObject({ value: { kind: 'datetime', ms: Date.parse('2024-01-01T00:00:00Z') } });
  });

  it('rejects malformed queries with MALFORMED_QUERY', () => {
    for (const bad of ['SELECT FROM Contact', 'SELECT Id Contact', 'SELECT Id FROM Contact WHERE', "SELECT Id FROM Contact WHERE Name = 'open", 'SELECT Id FROM Contact LIMIT x', 'SELECT Id FROM Contact WHERE (Id = 1']) {
      expect(() => parseSoql(bad), bad).toThrow(SoqlError);
      try {
        parseSoql(bad);
      } catch (error) {
        expect((error as SoqlError).errorCode).toBe('MALFORMED_QUERY');
      }
    }
  });
});
