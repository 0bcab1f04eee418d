import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../index.ts';
import { createSalesforceSimulator } from './index.ts';

/** Response bodies in these tests are read loosely, as a client reading JSON does. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let sandbox: Sandbox | null = null;
afterEach(async () => {
  await sandbox?.close();
  sandbox = null;
});

async function start(size: number) {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], seed: 21, size });
  const base = await sandbox.listen(0);
  const minted = await (await fetch(`${base}/_sandbox/tokens`, post({ provider: 'salesforce' }))).json() as Json;
  const auth = { authorization: `Bearer ${minted.accessToken}` };
  const instance = `${base}/salesforce`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${instance}${path}`, { headers: { ...auth, ...headers } });
    return { status: res.status, headers: res.headers, body: await res.json() as Json };
  };
  const query = (soql: string, headers: Record<string, string> = {}, all = false) =>
    get(`/services/data/v60.0/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, headers);
  /** Follows nextRecordsUrl until done, as a client does. */
  const walk = async (soql: string, headers: Record<string, string> = {}, all = false) => {
    let page = await query(soql, headers, all);
    const records = [...page.body.records];
    let pages = 1;
    while (!page.body.done) {
      page = await get(page.body.nextRecordsUrl, headers);
      expect(page.status).toBe(200);
      records.push(...page.body.records);
      pages++;
    }
    return { records, pages, totalSize: page.body.totalSize };
  };
  const control = async (path: string, init?: RequestInit) => (await fetch(`${base}/_sandbox${path}`, init)).json() as Json;
  return { base, get, query, walk, control, sandbox };
}

const post = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const patch = (body: unknown) => ({ method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('salesforce SOQL query', () => {
  it('walks every Contact exactly once across nextRecordsUrl pages at the requested batch size', async () => {
    const sf = await start(3000);
    const truth = (await sf.control('/ground-truth?provider=salesforce')).entries as { externalId: string }[];
    const { records, pages, totalSize } = await sf.walk('SELECT Id, FirstName, LastName, Email, SystemModstamp FROM Contact', { 'Sforce-Query-Options': 'batchSize=500' });
    expect(totalSize).toBe(truth.length);
    expect(pages).toBe(Math.ceil(truth.length / 500));
    const ids = records.map((r: { Id: string }) => r.Id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(truth.map((t) => t.externalId)));
    expect(records[0]).toMatchObject({ attributes: { type: 'Contact', url: `/services/data/v60.0/sobjects/Contact/${records[0].Id}` } });
    expect(records[0].Id).toMatch(/^003[a-zA-Z0-9]{15}$/);
    const stamps = records.map((r: { SystemModstamp: string }) => r.SystemModstamp);
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('keeps a walk stable while records change: each record once, edits seen by the next incremental query', async () => {
    const sf = await start(1500);
    const first = await sf.query('SELECT Id FROM Contact', { 'Sforce-Query-Options': 'batchSize=200' });
    const seen = first.body.records.map((r: { Id: string }) => r.Id);
    const edited = seen.slice(0, 3);
    for (const id of edited) await sf.control(`/salesforce/Contact/${id}`, patch({ Title: 'Moved' }));
    let page = first;
    while (!page.body.done) {
      page = await sf.get(page.body.nextRecordsUrl);
      seen.push(...page.body.records.map((r: { Id: string }) => r.Id));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(first.body.totalSize);
  });

  it('returns exactly the changes to an incremental SystemModstamp query after control-API edits, creates and deletes', async () => {
    const sf = await start(1000);
    const now = (await sf.control('/clock')).now as number;
    const checkpoint = new Date(now).toISOString();
    await sf.control('/clock/advance', post({ ms: 1000 }));
    const some = (await sf.control('/salesforce/Contact?limit=5')).records as { Id: string }[];
    const tick = () => sf.control('/clock/advance', post({ ms: 5 }));
    await sf.control(`/salesforce/Contact/${some[0]?.Id}`, patch({ Email: 'changed@example.com' }));
    await tick();
    await sf.control(`/salesforce/Contact/${some[1]?.Id}`, patch({ Title: 'CTO' }));
    await tick();
    const created = await sf.control('/salesforce/Contact', post({ LastName: 'Newperson', FirstName: 'Nia' }));
    await tick();
    await fetch(`${sf.base}/_sandbox/salesforce/Contact/${some[2]?.Id}`, { method: 'DELETE' });

    const changed = await sf.walk(`SELECT Id, Email, Title, IsDeleted FROM Contact WHERE SystemModstamp > ${checkpoint} ORDER BY SystemModstamp ASC`);
    expect(changed.records.map((r: { Id: string }) => r.Id)).toEqual([some[0]?.Id, some[1]?.Id, created.Id]);
    expect(changed.records[0].Email).toBe('changed@example.com');
    const withDeleted = await sf.walk(`SELECT Id, IsDeleted FROM Contact WHERE SystemModstamp > ${checkpoint}`, {}, true);
    expect(withDeleted.records.map((r: { Id: string; IsDeleted: boolean }) => [r.Id, r.IsDeleted])).toEqual([
      [some[0]?.Id, false],
      [some[1]?.Id, false],
      [created.Id, false],
      [some[2]?.Id, true],
    ]);
    const sfFormat = new Date(now).toISOString().replace('Z', '+0000');
    expect((await sf.query(`SELECT Id FROM Contact WHERE LastModifiedDate >= ${sfFormat}`)).body.totalSize).toBe(3);
  });

  it('supports the usual SOQL: AND/OR, LIKE, IN, ORDER BY, LIMIT, OFFSET, COUNT() and parent fields', async () => {
    const sf = await start(600);
    const contacts = (await sf.walk('SELECT Id, LastName, Email, AccountId, Account.Name FROM Contact')).records;
    const withAccount = contacts.find((c: { AccountId: string | null }) => c.AccountId);
    expect(withAccount.Account).toMatchObject({ attributes: { type: 'Account' }, Name: expect.any(String) });
    const name = contacts[0].LastName as string;
    const expected = contacts.filter((c: { LastName: string }) => c.LastName.toLowerCase() === name.toLowerCase()).length;
    expect((await sf.query(`SELECT Id FROM Contact WHERE LastName = '${name.toUpperCase().replace(/'/g, "\\'")}'`)).body.totalSize).toBe(expected);
    const prefix = name.slice(0, 2);
    const like = contacts.filter((c: { LastName: string }) => c.LastName.toLowerCase().startsWith(prefix.toLowerCase())).length;
    expect((await sf.query(`SELECT Id FROM Contact WHERE LastName LIKE '${prefix}%'`)).body.totalSize).toBe(like);
    const two = [contacts[1].Id, contacts[2].Id.slice(0, 15)];
    const inQuery = await sf.query(`SELECT Id FROM Contact WHERE Id IN ('${two[0]}', '${two[1]}')`);
    expect(inQuery.body.records.map((r: { Id: string }) => r.Id).sort()).toEqual([contacts[1].Id, contacts[2].Id].sort());
    const either = await sf.query(`SELECT Id FROM Contact WHERE (Id = '${contacts[3].Id}' OR Id = '${contacts[4].Id}') AND IsDeleted = false`);
    expect(either.body.totalSize).toBe(2);
    const sorted = await sf.query('SELECT Id, LastName FROM Contact ORDER BY LastName DESC LIMIT 5 OFFSET 1');
    const names = sorted.body.records.map((r: { LastName: string }) => r.LastName.toLowerCase());
    expect(names).toHaveLength(5);
    expect([...names].sort().reverse()).toEqual(names);
    expect((await sf.query('SELECT COUNT() FROM Contact')).body).toEqual({ totalSize: contacts.length, done: true, records: [] });
    const accounts = await sf.query('SELECT Id, Name, Customer_Tier__c FROM Account WHERE Customer_Tier__c IN (\'Gold\', \'Platinum\')');
    expect(accounts.body.records.every((a: { Customer_Tier__c: string }) => ['Gold', 'Platinum'].includes(a.Customer_Tier__c))).toBe(true);
    const opps = await sf.query('SELECT Id, Name, Amount, StageName, Account.Name FROM Opportunity WHERE Amount > 1000 LIMIT 3');
    expect(opps.status).toBe(200);
  });

  it("answers Salesforce's errors for bad queries and unknown locators, and re-serves a page that is read twice", async () => {
    const sf = await start(300);
    const bad = await sf.query('SELECT Id FROM Contact WHERE');
    expect(bad.status).toBe(400);
    expect(bad.body[0].errorCode).toBe('MALFORMED_QUERY');
    const field = await sf.query('SELECT Id, Nope__c FROM Contact');
    expect(field.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Nope__c' on entity 'Contact'") });
    expect((await sf.query('SELECT Id FROM Widget__c')).body[0].errorCode).toBe('INVALID_TYPE');
    const quoted = await sf.query("SELECT Id FROM Contact WHERE SystemModstamp > '2024-01-01T00:00:00Z'");
    expect(quoted.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: expect.stringContaining('should not be enclosed in quotes') });
    const paged = await sf.query('SELECT Id FROM Contact', { 'Sforce-Query-Options': 'batchSize=200' });
    expect(paged.body.done).toBe(false);
    const again = await sf.get(paged.body.nextRecordsUrl);
    expect(await sf.get(paged.body.nextRecordsUrl)).toMatchObject({ status: 200, body: again.body });
    const locator = await sf.get('/services/data/v60.0/query/01g5g0000000000AAA-2000');
    expect(locator.status).toBe(400);
    expect(locator.body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
  });

  // Speed is measured by `npm run bench:sandbox`; this checks that a benchmark-sized org pages correctly.
  it('seeds 100,000 people and walks every Contact exactly once', async () => {
    const sf = await start(100_000);
    const { records, totalSize } = await sf.walk('SELECT Id, FirstName, LastName, Email, Phone, AccountId, SystemModstamp FROM Contact');
    expect(records).toHaveLength(totalSize);
    expect(new Set(records.map((r: { Id: string }) => r.Id)).size).toBe(totalSize);
    expect(totalSize).toBeGreaterThan(85_000);
  });
});
