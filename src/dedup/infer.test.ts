import { describe, expect, it } from 'vitest';
import { inferFieldKind, inferFields, inferRules } from './infer.ts';

describe('inferFields', () => {
  it('reads the FEBRL header by column names and leaves the record id out', () => {
    const header = ['rec_id', 'given_name', 'surname', 'street_number', 'address_1', 'address_2', 'suburb', 'postcode', 'state', 'date_of_birth', 'soc_sec_id'];
    const fields = inferFields(header, [['rec-1-org', 'jonah', 'browne', '6', 'bingley crescent', '', 'pindimar', '3182', 'nsw', '19250413', '8328406']]);
    expect(fields.map((f) => [f.field, f.kind])).toEqual([
      ['given_name', 'givenName'], ['surname', 'surname'], ['street_number', 'text'], ['address_1', 'address'], ['address_2', 'address'],
      ['suburb', 'city'], ['postcode', 'postcode'], ['state', 'text'], ['date_of_birth', 'dateOfBirth'], ['soc_sec_id', 'idNumber'],
    ]);
  });

  it('reads a CRM export with human column names and skips bookkeeping columns', () => {
    const header = ['Customer ID', 'First Name', 'Last Name', 'E-mail Address', 'Mobile Phone', 'Company', 'Website', 'Billing Zip', 'Created At', 'Notes'];
    const fields = inferFields(header, [], ['Customer ID']);
    expect(fields.map((f) => [f.field, f.kind])).toEqual([
      ['First Name', 'givenName'], ['Last Name', 'surname'], ['E-mail Address', 'email'], ['Mobile Phone', 'phone'],
      ['Company', 'organisation'], ['Website', 'domain'], ['Billing Zip', 'postcode'],
    ]);
  });

  it('judges columns with uninformative names by their values', () => {
    expect(inferFieldKind('contact', ['a@b.com', 'c@d.org', 'e@f.net'])?.kind).toBe('email');
    expect(inferFieldKind('col7', ['(415) 555-0100', '+44 20 7946 0018', '415.555.0199'])?.kind).toBe('phone');
    expect(inferFieldKind('col8', ['acme.com', 'https://www.example.org/', 'globex.co.uk'])?.kind).toBe('domain');
    expect(inferFieldKind('col9', ['2024-01-02T10:00:00Z', '2024-03-04T11:00:00Z'])).toBeNull();
    expect(inferFieldKind('col10', ['1001', '1002', '1003'])).toBeNull();
    expect(inferFieldKind('col11', ['red fox', 'blue whale', 'green frog'])).toEqual({ kind: 'text', weight: 0.5 });
  });

  it('keeps one given-name column for the swapped-name reading; a second is plain text', () => {
    const fields = inferFields(['first_name', 'given_name', 'surname'], []);
    expect(fields.map((f) => f.kind)).toEqual(['givenName', 'text', 'surname']);
  });
});

describe('a column called "name"', () => {
  it('holds people in a contact list', () => {
    expect(inferFields(['name', 'email'], [['Jane Doe', 'jane@example.com'], ['Ravi Patel', 'ravi@example.com']])[0]?.kind).toBe('name');
  });

  it('holds organisations when its values look like companies or the table is an account list', () => {
    expect(inferFields(['name', 'phone'], [['Acme Inc', '1'], ['Smith & Sons', '2'], ['Globex', '3']])[0]?.kind).toBe('organisation');
    expect(inferFields(['name', 'domain', 'city'], [['Globex', 'globex.com', 'Springfield']])[0]?.kind).toBe('organisation');
  });
});

describe('inferRules', () => {
  it('chooses person rules when names are present and organisation rules otherwise', () => {
    expect(inferRules(['name', 'email'], []).entityType).toBe('person');
    expect(inferRules(['company', 'website', 'phone'], []).entityType).toBe('organization');
  });
});
