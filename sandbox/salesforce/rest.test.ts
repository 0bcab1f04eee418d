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

const json = (method: string, body?: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: body === undefined ? undefined : JSON.stringify(body),
});
const DAY = 86_400_000;

async function start(options: { rateLimitScale?: number; tokenLifetimes?: { salesforce: { accessSeconds: number } } } = {}) {
  sandbox = await createSandbox({ providers: [createSalesforceSimulator()], size: 300, ...options });
  const base = await sandbox.listen(0);
  const minted = await (await fetch(`${base}/_sandbox/tokens`, json('POST', { provider: 'salesforce' }))).json() as Json;
  const auth = { authorization: `Bearer ${minted.accessToken}` };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}/salesforce/services/data/v60.0${path}`, json(method, body, { ...auth, ...headers }));
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
  };
  const control = async (path: string, init?: RequestInit) => (await fetch(`${base}/_sandbox${path}`, init)).json() as Json;
  const now = async () => (await control('/clock')).now as number;
  return { base, call, control, now };
}

describe('salesforce REST', () => {
  it('creates, reads, updates and deletes with Salesforce status codes and validation errors', async () => {
    const s = await start();
    const accounts = (await s.call('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 1')}`)).body.records;
    const created = await s.call('POST', '/sobjects/Contact/', { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com', AccountId: accounts[0].Id });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^003\w{15}$/), success: true, errors: [] });
    const read = await s.call('GET', `/sobjects/Contact/${created.body.id}`);
    expect(read.body).toMatchObject({ Id: created.body.id, Name: 'Ada Lovelace', AccountId: accounts[0].Id, IsDeleted: false });
    expect(read.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
    expect((await s.call('PATCH', `/sobjects/Contact/${created.body.id}`, { Title: 'Countess' })).status).toBe(204);
    expect((await s.call('GET', `/sobjects/Contact/${created.body.id}?fields=Title`)).body).toMatchObject({ Title: 'Countess' });
    expect((await s.call('DELETE', `/sobjects/Contact/${created.body.id}`)).status).toBe(204);
    expect((await s.call('GET', `/sobjects/Contact/${created.body.id}`)).status).toBe(404);

    const missing = await s.call('POST', '/sobjects/Contact', { FirstName: 'No' });
    expect(missing).toMatchObject({ status: 400, body: [{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] });
    expect((await s.call('POST', '/sobjects/Contact', { LastName: 'X', Email: 'not-an-email' })).body[0].errorCode).toBe('INVALID_EMAIL_ADDRESS');
    expect((await s.call('POST', '/sobjects/Contact', { LastName: 'X', Bogus__c: 1 })).body[0].errorCode).toBe('INVALID_FIELD');
    expect((await s.call('POST', '/sobjects/Contact', { LastName: 'X', Name: 'Y' })).body[0].errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
    expect((await s.call('POST', '/sobjects/Account', { Name: 'A', Customer_Tier__c: 'Diamond' })).body[0].errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    expect((await s.call('GET', '/sobjects/Contact/001000000000000')).body[0].errorCode).toBe('MALFORMED_ID');
  });

  it('upserts by external id: 201 created, then 200 updated, and refuses duplicates and non-external fields', async () => {
    const s = await start();
    const first = await s.call('PATCH', '/sobjects/Contact/External_Id__c/trib-42', { LastName: 'Hopper', FirstName: 'Grace' });
    expect(first).toMatchObject({ status: 201, body: { id: expect.stringMatching(/^003/), success: true, errors: [], created: true } });
    const second = await s.call('PATCH', '/sobjects/Contact/External_Id__c/TRIB-42', { Title: 'Rear Admiral' });
    expect(second).toMatchObject({ status: 200, body: { id: first.body.id, created: false } });
    const read = await s.call('GET', '/sobjects/Contact/External_Id__c/trib-42');
    expect(read.body).toMatchObject({ Id: first.body.id, Name: 'Grace Hopper', Title: 'Rear Admiral', External_Id__c: 'trib-42' });
    const missing = await s.call('PATCH', '/sobjects/Contact/External_Id__c/trib-43', { FirstName: 'No last name' });
    expect(missing.body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
    const dup = await s.call('POST', '/sobjects/Contact', { LastName: 'Copy', External_Id__c: 'Trib-42' });
    expect(dup.body[0]).toMatchObject({ errorCode: 'DUPLICATE_VALUE', message: expect.stringContaining(first.body.id) });
    expect((await s.call('PATCH', '/sobjects/Contact/Email/a@b.c', { LastName: 'X' })).status).toBe(404);
    expect((await s.call('DELETE', `/sobjects/Contact/${first.body.id}`)).status).toBe(204);
    expect((await s.call('GET', '/sobjects/Contact/External_Id__c/trib-42')).status).toBe(404);
  });

  it('creates, updates and deletes sObject collections in one API call, all-or-none when asked', async () => {
    const s = await start();
    const usage = () => s.control('/salesforce/org').then((o) => o.apiUsage.used as number);
    const before = await usage();
    const created = await s.call('POST', '/composite/sobjects', {
      allOrNone: false,
      records: [
        { attributes: { type: 'Contact' }, LastName: 'One' },
        { attributes: { type: 'Contact' }, FirstName: 'Nameless' },
        { attributes: { type: 'Account' }, Name: 'Batch Co' },
      ],
    });
    expect(created.status).toBe(200);
    expect(created.body[0]).toMatchObject({ success: true, id: expect.stringMatching(/^003/), errors: [] });
    expect(created.body[1]).toMatchObject({ success: false, id: null, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }] });
    expect(created.body[2]).toMatchObject({ success: true, id: expect.stringMatching(/^001/) });
    expect(await usage()).toBe(before + 1);

    const all = await s.call('POST', '/composite/sobjects', { allOrNone: true, records: [{ attributes: { type: 'Contact' }, LastName: 'Two' }, { attributes: { type: 'Contact' } }] });
    expect(all.body.map((r: { errors: { statusCode: string }[] }) => r.errors[0]?.statusCode)).toEqual(['ALL_OR_NONE_OPERATION_ROLLED_BACK', 'REQUIRED_FIELD_MISSING']);
    expect((await s.call('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName = 'Two'")}`)).body.totalSize).toBe(0);

    const updated = await s.call('PATCH', '/composite/sobjects', { records: [{ attributes: { type: 'Contact' }, Id: created.body[0].id, Title: 'Batch' }] });
    expect(updated.body).toEqual([{ id: created.body[0].id, success: true, errors: [] }]);
    expect((await s.call('GET', `/sobjects/Contact/${created.body[0].id}`)).body.Title).toBe('Batch');
    const removed = await s.call('DELETE', `/composite/sobjects?ids=${created.body[0].id},${created.body[2].id}&allOrNone=false`);
    expect(removed.body.map((r: { success: boolean }) => r.success)).toEqual([true, true]);
  });

  it('describes objects with their custom field', async () => {
    const s = await start();
    const d = await s.call('GET', '/sobjects/Account/describe');
    expect(d.body).toMatchObject({ name: 'Account', keyPrefix: '001' });
    expect(d.body.fields.find((f: { name: string }) => f.name === 'Customer_Tier__c')).toMatchObject({ custom: true, type: 'picklist', restrictedPicklist: true });
    expect((await s.call('GET', '/sobjects/Widget/describe')).status).toBe(404);
  });

  it('answers 412 to a stale If-Match on Account and a stale If-Unmodified-Since on any object', async () => {
    const s = await start();
    const account = (await s.call('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 1')}`)).body.records[0];
    const read = await s.call('GET', `/sobjects/Account/${account.Id}`);
    const etag = read.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9+/=]+-gzip"$/);
    expect((await s.call('GET', `/sobjects/Account/${account.Id}`, undefined, { 'if-none-match': etag })).status).toBe(304);
    expect((await s.call('PATCH', `/sobjects/Account/${account.Id}`, { Phone: '1' }, { 'if-match': etag })).status).toBe(204);
    const stale = await s.call('PATCH', `/sobjects/Account/${account.Id}`, { Phone: '2' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body[0].errorCode).toBe('PRECONDITION_FAILED');

    const contact = (await s.call('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Contact LIMIT 1')}`)).body.records[0];
    const lastModified = (await s.call('GET', `/sobjects/Contact/${contact.Id}`)).headers.get('last-modified') as string;
    await s.control('/clock/advance', json('POST', { ms: 2000 }));
    expect((await s.call('PATCH', `/sobjects/Contact/${contact.Id}`, { Title: 'A' }, { 'if-unmodified-since': lastModified })).status).toBe(204);
    expect((await s.call('PATCH', `/sobjects/Contact/${contact.Id}`, { Title: 'B' }, { 'if-unmodified-since': lastModified })).status).toBe(412);
    expect((await s.call('PATCH', `/sobjects/Contact/${contact.Id}`, { Title: 'B' }, { 'if-unmodified-since': 'yesterday-ish' })).status).toBe(400);
  });

  it('lists deletions inside the 15-day window and refuses a start beyond it', async () => {
    const s = await start({ tokenLifetimes: { salesforce: { accessSeconds: 30 * 86_400 } } });
    const t0 = await s.now();
    const ids = (await s.control('/salesforce/Contact?limit=3')).records.map((r: { Id: string }) => r.Id);
    for (const id of ids.slice(0, 2)) await fetch(`${s.base}/_sandbox/salesforce/Contact/${id}`, { method: 'DELETE' });
    await s.control('/clock/advance', json('POST', { ms: 2 * 60_000 }));
    const end = new Date((await s.now()) + 60_000).toISOString();
    const from = new Date(t0 - 60_000).toISOString();
    const got = await s.call('GET', `/sobjects/Contact/deleted/?start=${encodeURIComponent(from)}&end=${encodeURIComponent(end)}`);
    expect(got.status).toBe(200);
    expect(got.body.deletedRecords.map((r: { id: string }) => r.id)).toEqual(ids.slice(0, 2));
    expect(got.body.deletedRecords[0].deletedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(Date.parse(got.body.latestDateCovered.replace('+0000', 'Z'))).toBeLessThanOrEqual(Date.parse(end));
    expect(Date.parse(got.body.earliestDateAvailable.replace('+0000', 'Z'))).toBeLessThanOrEqual(t0 - 14 * DAY);

    const updated = await s.call('GET', `/sobjects/Contact/updated/?start=${encodeURIComponent(from)}&end=${encodeURIComponent(end)}`);
    expect(updated.body.ids).toEqual([]);
    await s.call('PATCH', `/sobjects/Contact/${ids[2]}`, { Title: 'Edited' });
    await s.control('/clock/advance', json('POST', { ms: 2 * 60_000 }));
    const end2 = new Date(await s.now()).toISOString();
    const updated2 = await s.call('GET', `/sobjects/Contact/updated/?start=${encodeURIComponent(from)}&end=${encodeURIComponent(end2)}`);
    expect(updated2.body.ids).toEqual([ids[2]]);
    expect(updated2.body.latestDateCovered).toMatch(/:00\.000\+0000$/);

    const tooOld = new Date((await s.now()) - 16 * DAY).toISOString();
    const refused = await s.call('GET', `/sobjects/Contact/deleted/?start=${encodeURIComponent(tooOld)}&end=${encodeURIComponent(end)}`);
    expect(refused.status).toBe(400);
    expect(refused.body[0].errorCode).toBe('INVALID_REPLICATION_DATE');

    // Sixteen days later the deletions have left the window entirely.
    await s.control('/clock/advance', json('POST', { ms: 16 * DAY }));
    const later = new Date((await s.now()) - 15 * DAY + 60_000).toISOString();
    const gone = await s.call('GET', `/sobjects/Contact/deleted/?start=${encodeURIComponent(later)}&end=${encodeURIComponent(new Date(await s.now()).toISOString())}`);
    expect(gone.body.deletedRecords).toEqual([]);
    const soql = `SELECT Id FROM Contact WHERE Id IN ('${ids[0]}', '${ids[1]}', '${ids[2]}')`;
    const all = await s.call('GET', `/queryAll?q=${encodeURIComponent(soql)}`);
    expect(all.body.records.map((r: { Id: string }) => r.Id)).toEqual([ids[2]]);
  });

  it('reports earliestDateAvailable after the Recycle Bin is emptied', async () => {
    const s = await start();
    const t0 = await s.now();
    const id = (await s.control('/salesforce/Contact?limit=1')).records[0].Id;
    await fetch(`${s.base}/_sandbox/salesforce/Contact/${id}`, { method: 'DELETE' });
    await s.control('/clock/advance', json('POST', { ms: 5 * 60_000 }));
    expect(await s.control('/salesforce/purge', json('POST', {}))).toEqual({ purged: 1 });
    const got = await s.call('GET', `/sobjects/Contact/deleted/?start=${encodeURIComponent(new Date(t0 - 60_000).toISOString())}&end=${encodeURIComponent(new Date(await s.now()).toISOString())}`);
    expect(got.body.deletedRecords).toEqual([]);
    expect(Date.parse(got.body.earliestDateAvailable.replace('+0000', 'Z'))).toBeGreaterThan(t0);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED with Sforce-Limit-Info once the daily allocation is used', async () => {
    const s = await start({ rateLimitScale: 0.0001, tokenLifetimes: { salesforce: { accessSeconds: 30 * 86_400 } } });
    const seen: string[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await s.call('GET', '/limits');
      expect(r.status).toBe(200);
      seen.push(r.headers.get('sforce-limit-info') as string);
    }
    expect(seen[0]).toBe('api-usage=1/10');
    expect(seen[9]).toBe('api-usage=10/10');
    const over = await s.call('GET', '/sobjects/Contact/describe');
    expect(over.status).toBe(403);
    expect(over.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    expect(over.headers.get('sforce-limit-info')).toBe('api-usage=10/10');
    expect((await s.control('/limits')).rejections.salesforce).toBe(1);
    // A rolling 24 hours later the allocation is back.
    await s.control('/clock/advance', json('POST', { ms: DAY }));
    expect((await s.call('GET', '/limits')).body.DailyApiRequests).toEqual({ Max: 10, Remaining: 9 });
  });

  it("answers injected faults with Salesforce's own bodies", async () => {
    const s = await start();
    await s.control('/faults', json('POST', { provider: 'salesforce', kind: 'status', status: 503, count: 1, path: '/query' }));
    const r = await s.call('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`);
    expect(r.status).toBe(503);
    expect(r.body[0].errorCode).toBe('SERVER_UNAVAILABLE');
  });
});
