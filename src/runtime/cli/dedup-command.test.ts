import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../dedup/index.ts';
import { registerDedupCommand, runDedup } from './dedup-command.ts';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-dedup-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const CONTACTS = [
  'contact_id,First Name,Last Name,Email,Phone,"Street, and number",City,Notes',
  'c1,Robert,McAllister,bob.mcallister@example.com,(415) 555-0101,"12 Harbour Street",San Francisco,"likes sailing, tea"',
  'c2,Bob,Mcallister,Bob.McAllister@Example.com,,"12 Harbour St.",San Francisco,"called twice,\nsee ticket"',
  'c3,Katherine,Okafor,kokafor@example.org,415-555-0177,9 Pine Avenue,Oakland,',
  'c4,Katie,Okafor,,+1 415 555 0177,"9 Pine Ave",Oakland,',
  'c5,Ingrid,Svensson,ingrid.s@example.net,415-555-0199,77 Elm Road,Berkeley,',
  'c6,Tomasz,Brzezinski,tomasz@example.com,415-555-0142,3 Oak Lane,Fremont,',
].join('\n');

const CRM = [
  'id, given_name, surname, email_address, mobile',
  'x9, Robert, McAllister, bob.mcallister@example.com, ',
  'x8, Ingrid, Svenson, , 4155550199',
  'x7, Maria, Lopez, maria@example.com, 4155550123',
].join('\n');

describe('tributary dedup, one file', () => {
  it('finds the duplicates inside a CSV with inferred fields and writes them to stdout', async () => {
    const out = sink();
    const err = sink();
    await runDedup({ files: [write('contacts.csv', CONTACTS)], region: 'US', stdout: out.stream, stderr: err.stream });
    const [header, ...rows] = parseCsv(out.text());
    expect(header).toEqual(['left_id', 'right_id', 'score']);
    expect(rows.map(([a, b]) => `${a}-${b}`).sort()).toEqual(['c1-c2', 'c3-c4']);
    for (const row of rows) expect(Number(row[2])).toBeGreaterThanOrEqual(0.9);
    expect(err.text()).toMatch(/6 records; comparing First Name \(givenName\), Last Name \(surname\), Email \(email\), Phone \(phone\)/);
    expect(err.text()).not.toMatch(/Notes/);
  });

  it('compares only the named fields and uses line numbers when there is no id column', async () => {
    // The same file without its first column (whose values are never quoted).
    const file = write('no-ids.csv', CONTACTS.split('\n').map((line) => (/^(c\d|contact_id),/.test(line) ? line.slice(line.indexOf(',') + 1) : line)).join('\n'));
    const output = path.join(dir, 'pairs.csv');
    await runDedup({ files: [file], fields: ['Email'], output, stdout: sink().stream, stderr: sink().stream });
    // Only c1/c2 share an email; rows are numbered from 1.
    expect(fs.readFileSync(output, 'utf8')).toBe('left_id,right_id,score\n1,2,1.0000\n');
  });
});

describe('tributary dedup, two files', () => {
  it('links left records to right ones, pairing columns by kind across different headers', async () => {
    const output = path.join(dir, 'links.csv');
    await runDedup({ files: [write('contacts.csv', CONTACTS), write('crm.csv', CRM)], region: 'US', output, stdout: sink().stream, stderr: sink().stream });
    const [header, ...rows] = parseCsv(fs.readFileSync(output, 'utf8'));
    expect(header).toEqual(['left_id', 'right_id', 'score']);
    expect(rows.map(([a, b]) => `${a}-${b}`).sort()).toEqual(['c1-x9', 'c2-x9', 'c5-x8']);
  });
});

describe('tributary dedup, errors', () => {
  it('says which file is missing', async () => {
    await expect(runDedup({ files: [path.join(dir, 'nope.csv')], stderr: sink().stream })).rejects.toThrow(/file not found: .*nope\.csv/);
  });

  it('says when the id column is missing, listing the columns', async () => {
    await expect(runDedup({ files: [write('c.csv', CONTACTS)], idColumn: 'uuid', stderr: sink().stream })).rejects.toThrow(/id column "uuid" is not in .*its columns are: contact_id, First Name/);
  });

  it('says when a field is unknown, or a file has duplicate ids', async () => {
    await expect(runDedup({ files: [write('c.csv', CONTACTS)], fields: ['Email', 'Fax'], stderr: sink().stream })).rejects.toThrow(/unknown field "Fax"/);
    await expect(runDedup({ files: [write('d.csv', 'id,name\n1,Ann\n1,Bob\n')], stderr: sink().stream })).rejects.toThrow(/id "1" appears more than once/);
  });

  it('rejects through commander with the TributaryError, for the CLI\'s error handler to print', async () => {
    const program = new Command('tributary').exitOverride();
    registerDedupCommand(program);
    await expect(program.parseAsync(['node', 'tributary', 'dedup', path.join(dir, 'missing.csv')])).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/file not found/) });
  });

  it('wires the flags through commander', async () => {
    const program = new Command('tributary').exitOverride();
    registerDedupCommand(program);
    const output = path.join(dir, 'out.csv');
    await program.parseAsync(['node', 'tributary', 'dedup', write('c.csv', CONTACTS), '--id-column', 'contact_id', '--fields', 'Email, Phone', '--region', 'us', '--output', output]);
    const rows = parseCsv(fs.readFileSync(output, 'utf8')).slice(1).map(([a, b]) => `${a}-${b}`);
    expect(rows.sort()).toEqual(['c1-c2', 'c3-c4']);
  });
});
