/**
 * The Salesforce provider against the sandbox's Salesforce simulator over real HTTP.
 *
 * Calls go through the real client (test/fixtures/provider-sandbox.ts): static token,
 * one attempt, no refresh.
 */
import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createSalesforceSimulator } from '../../../sandbox/salesforce/index.ts';
import { providerClient, providerSandboxes } from '../../../test/fixtures/provider-sandbox.ts';
import { TributaryError } from '../../domain/errors.ts';
import { CURSOR_EXPIRED, type ChangePage, type Cursor, type ExternalRecord, type ProviderContext } from '../provider.ts';
import { salesforceProvider } from './index.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const sandboxes = providerSandboxes();
let proxy: Server | null = null;
afterEach(async () => {
  await new Promise<void>((resolve) => (proxy ? proxy.close(() => resolve()) : resolve()));
  proxy = null;
  await sandboxes.closeAll();
});

/**
 * The sandbox has no composite sObject collections endpoint yet: this proxy in front of
 * it answers `POST …/composite/sobjects` in Salesforce's documented shape by creating
 * each row through the sandbox's own sObject endpoint, and forwards everything else.
 */
async function compositeProxy(target: string): Promise<string> {
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'accept', 'sforce-query-options', 'if-match', 'if-unmodified-since']) {
          const value = req.headers[name];
          if (typeof value === 'string') headers[name] = value;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        if (req.method === 'POST' && req.url?.endsWith('/composite/sobjects')) {
          const { records } = JSON.parse(body) as { records: Json[] };
          const results: Json[] = [];
          for (const { attributes, ...fields } of records) {
            const answer = await fetch(`${target}/services/data/v60.0/sobjects/${attributes.type}/`, { method: 'POST', headers, body: JSON.stringify(fields) });
            const json = (await answer.json()) as Json;
            results.push(answer.status === 201 ? { id: json.id, success: true, errors: [] } : { success: false, errors: json.map((e: Json) => ({ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] })) });
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(results));
          return;
        }
        const answer = await fetch(`${target}${req.url}`, { method: req.method, headers, body: body === '' ? undefined : body });
        const out: Record<string, string> = {};
        answer.headers.forEach((v, k) => {
          if (k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
        });
        res.writeHead(answer.status, out).end(Buffer.from(await answer.arrayBuffer()));
      })();
    });
  });
  await new Promise<void>((resolve) => proxy!.listen(0, '127.0.0.1', () => resolve()));
  const address = proxy.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

async function start(size = 300) {
  const running = await sandboxes.start({ provider: salesforceProvider, sandbox: { providers: [createSalesforceSimulator()], size, seed: 7 }, path: 'salesforce' });
  const { base, control, ctx, calls, setToken } = running;
  let offset = (await control('/clock')).offsetMs as number;
  const advance = async (ms: number) => {
    offset = (await control('/clock/advance', 'POST', { ms })).offsetMs as number;
  };
  ctx.now = () => Date.now() + offset;
  /** A fresh session (after moving the clock past the 2 h inactivity timeout). */
  const login = async () => setToken((await running.mint()).accessToken);
  return { base, control, advance, ctx, http: { calls }, setToken, login, token: running.token };
}

const objectNamed = (name: string) => salesforceProvider.objectFor(name);

async function walk(ctx: ProviderContext, object: string, cursor: Cursor | null, pageSize?: number): Promise<{ pages: ChangePage[]; records: ExternalRecord[]; cursor: Cursor }> {
  const pages: ChangePage[] = [];
  let current = cursor;
  for (;;) {
    const page = await objectNamed(object).readPage(ctx, current, pageSize === undefined ? {} : { pageSize });
    pages.push(page);
    current = page.cursor;
    if (page.done) break;
    expect(pages.length).toBeLessThan(100);
  }
  return { pages, records: pages.flatMap((p) => p.records), cursor: current as Cursor };
}

async function failure(promise: Promise<unknown>): Promise<TributaryError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TributaryError);
    return error as TributaryError;
  }
  throw new Error('expected a failure');
}

describe('salesforce provider', () => {
  it('validates the token as the org and reports health from the daily limit', async () => {
    const s = await start(20);
    const org = await s.control('/salesforce/org');
    const account = await salesforceProvider.validate(s.ctx);
    expect(account.accountId).toBe(org.orgId);
    expect(account.details).toMatchObject({ orgId: org.orgId, userId: org.userId, username: 'admin@sandbox.example.com' });
    expect(account.name.length).toBeGreaterThan(0);
    const health = await salesforceProvider.health(s.ctx);
    expect(health.ok).toBe(true);
    expect(health.detail).toMatch(/of 100000 daily API requests left/);
  });

  it('discovers Account, Contact and Opportunity with custom fields, picklists, references and required fields', async () => {
    const s = await start(20);
    const schemas = await salesforceProvider.discover(s.ctx);
    expect(schemas.map((o) => o.name)).toEqual(['Account', 'Contact', 'Opportunity']);
    const account = schemas[0]!;
    expect(account.fields.find((f) => f.name === 'Customer_Tier__c')).toMatchObject({ custom: true, type: 'enum', enumValues: ['Platinum', 'Gold', 'Silver', 'Bronze'] });
    expect(account.fields.find((f) => f.name === 'Name')).toMatchObject({ required: true, type: 'string' });
    expect(account.fields.find((f) => f.name === 'Id')).toMatchObject({ readOnly: true });
    expect(account.fields.find((f) => f.name === 'Industry')?.custom).toBeUndefined();
    expect(account.capabilities.precondition).toBe('etag');
    const contact = schemas[1]!;
    expect(contact.fields.find((f) => f.name === 'AccountId')).toMatchObject({ type: 'reference', references: 'Account' });
    expect(contact.fields.find((f) => f.name === 'LastName')?.required).toBe(true);
    expect(contact.fields.find((f) => f.name === 'Email')?.type).toBe('email');
    expect(contact.capabilities).toMatchObject({ precondition: 'if_unmodified_since', deletions: 'window', incremental: true, batch: true });
  });

  it('walks every Contact exactly once through nextRecordsUrl pages', async () => {
    const s = await start(500);
    const total = (await s.control('/salesforce/Contact?limit=1')).total as number;
    const result = await walk(s.ctx, 'Contact', null, 200);
    expect(result.pages.length).toBe(Math.ceil(total / 200));
    expect(result.pages[0]!.total).toBe(total);
    const ids = result.records.map((r) => r.id);
    expect(new Set(ids).size).toBe(total);
    expect(ids.length).toBe(total);
    // A full sync reads in Id order, as Salesforce sorts Ids.
    expect(String(s.http.calls.find((c) => c.query?.q !== undefined)!.query!.q)).toMatch(/ FROM Contact ORDER BY Id$/);
    const token = ((await s.control('/tokens', 'POST', { provider: 'salesforce' })) as Json).accessToken as string;
    const byId = await fetch(`${s.ctx.connection.baseUrl}/services/data/v60.0/query/?q=${encodeURIComponent('SELECT Id FROM Contact ORDER BY Id')}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await byId.json()) as Json).records.map((r: Json) => r.Id)).toEqual(ids);
    expect(result.records[0]!.data).toHaveProperty('Customer_Tier__c');
    // Pages after the first follow the locator instead of re-running the query.
    const followed = s.http.calls.filter((c) => /\/query\/\w+-\d+$/.test(c.path));
    expect(followed.length).toBe(result.pages.length - 1);
  });

  it('reads exactly the changes and deletions since the last run, then nothing', async () => {
    const s = await start(100);
    const first = await walk(s.ctx, 'Contact', null);
    const [a, b, c] = first.records;
    await s.advance(5 * 60_000);
    await s.control(`/salesforce/Contact/${a!.id}`, 'PATCH', { Title: 'Chief Tester' });
    await s.control(`/salesforce/Contact/${b!.id}`, 'PATCH', { Phone: '+1 555 0100' });
    const created = await s.control('/salesforce/Contact', 'POST', { LastName: 'Newcomer' });
    await s.control(`/salesforce/Contact/${c!.id}`, 'DELETE');
    await s.advance(2 * 60_000); // getDeleted covers whole minutes up to now
    const second = await walk(s.ctx, 'Contact', first.cursor);
    expect(second.records.map((r) => r.id).sort()).toEqual([a!.id, b!.id, created.Id].sort());
    expect(second.records.find((r) => r.id === a!.id)?.data.Title).toBe('Chief Tester');
    expect(second.pages.flatMap((p) => p.deletions).map((d) => d.id)).toEqual([c!.id]);
    await s.advance(2 * 60_000);
    const third = await walk(s.ctx, 'Contact', second.cursor);
    expect(third.records).toEqual([]);
    expect(third.pages.flatMap((p) => p.deletions)).toEqual([]);
  });

  /** Salesforce keeps 10 open locators per user: 10 more queries close the ones before. */
  async function expireLocators(s: Awaited<ReturnType<typeof start>>): Promise<void> {
    const token = ((await s.control('/tokens', 'POST', { provider: 'salesforce' })) as Json).accessToken as string;
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${s.ctx.connection.baseUrl}/services/data/v60.0/query/?q=${encodeURIComponent('SELECT Id FROM Contact')}`, {
        headers: { authorization: `Bearer ${token}`, 'sforce-query-options': 'batchSize=200' },
      });
      expect((await res.json() as Json).done).toBe(false);
    }
  }

  it('re-runs a full sync after the last Id read when the locator expired, delivering each row once', async () => {
    const s = await start(500);
    const total = (await s.control('/salesforce/Contact?limit=1')).total as number;
    const first = await objectNamed('Contact').readPage(s.ctx, null, { pageSize: 200 });
    expect(first.done).toBe(false);
    await expireLocators(s);
    const rest = await walk(s.ctx, 'Contact', first.cursor, 200);
    const ids = [...first.records, ...rest.records].map((r) => r.id);
    expect(ids.length).toBe(total);
    expect(new Set(ids).size).toBe(total);
    expect(s.http.calls.map((c) => String(c.query?.q ?? ''))).toContain(`SELECT ${(first.cursor.run as Json).fields.join(', ')} FROM Contact WHERE Id > '${first.records.at(-1)!.id}' ORDER BY Id`);
  });

  it('re-runs an incremental run from the highest SystemModstamp seen when the locator expired, delivering each change once', async () => {
    const s = await start(500);
    const full = await walk(s.ctx, 'Contact', null, 200);
    await s.advance(5 * 60_000);
    const changed = full.records.slice(0, 300).map((r) => r.id);
    for (const id of changed) await s.control(`/salesforce/Contact/${id}`, 'PATCH', { Title: 'Changed' });
    await s.advance(2 * 60_000);
    const first = await objectNamed('Contact').readPage(s.ctx, full.cursor, { pageSize: 200 });
    expect(first.done).toBe(false);
    await expireLocators(s);
    const rest = await walk(s.ctx, 'Contact', first.cursor, 200);
    const ids = [...first.records, ...rest.records].map((r) => r.id);
    expect([...ids].sort()).toEqual([...changed].sort());
    expect(s.http.calls.some((c) => String(c.query?.q ?? '').includes('WHERE SystemModstamp >= '))).toBe(true);
  });

  it('creates many rows through composite sObject collections, reporting the rows Salesforce refused', async () => {
    const s = await start(20);
    const through = await compositeProxy(`${s.base}/salesforce`);
    const ctx = { ...s.ctx, connection: { ...s.ctx.connection, baseUrl: through }, http: providerClient(salesforceProvider, through, () => s.token()).ctx.http } as ProviderContext;
    const rows = Array.from({ length: 3 }, (_, i) => ({ FirstName: 'Batch', LastName: `Row ${i}` }));
    const created = await objectNamed('Contact').createMany!(ctx, rows);
    expect(created.map((r) => r.data.LastName)).toEqual(['Row 0', 'Row 1', 'Row 2']);
    expect(created.every((r) => /^003/.test(r.id) && r.version !== null)).toBe(true);

    const partial = await failure(objectNamed('Contact').createMany!(ctx, [{ LastName: 'Good' }, { FirstName: 'No last name' }]));
    expect(partial.code).toBe('PROVIDER_BAD_DATA');
    const results = partial.details?.results as Json[];
    expect(results[0]).toMatchObject({ index: 0, id: expect.stringMatching(/^003/) });
    expect(results[1]).toMatchObject({ index: 1, errors: [expect.objectContaining({ statusCode: 'REQUIRED_FIELD_MISSING' })] });
    expect(await objectNamed('Contact').fetchOne(s.ctx, results[0].id)).not.toBeNull();
  });

  it('asks for a full resync when the deletion window is older than 15 days or was purged', async () => {
    const s = await start(20);
    const first = await walk(s.ctx, 'Account', null);
    await s.advance(16 * 86_400_000);
    await s.login();
    const old = await failure(objectNamed('Account').readPage(s.ctx, first.cursor, {}));
    expect(old.details?.reason).toBe(CURSOR_EXPIRED);

    const again = await walk(s.ctx, 'Account', null);
    await s.advance(10 * 60_000);
    await s.control('/salesforce/purge', 'POST', { object: 'Account' });
    const purged = await failure(objectNamed('Account').readPage(s.ctx, again.cursor, {}));
    expect(purged.details?.reason).toBe(CURSOR_EXPIRED);
  });

  it('selects the parent fields a mapping reads (Account.Name) in a run and in fetchOne, leaving out those the describes do not know', async () => {
    const s = await start(500);
    const accountNames = new Map(((await s.control('/salesforce/Account?limit=1000')).records as Json[]).map((a) => [a.Id, a.Name]));
    // Owner's parent type (User) is not in the sandbox: its describe answers 404. Nope is no relationship,
    // Account.Nope no field of Account, and Account.Owner.Name two levels up.
    const paths = ['Email', 'account.name', 'Owner.Name', 'Nope.Name', 'Account.Nope', 'Account.Owner.Name'];
    const page = await objectNamed('Contact').readPage(s.ctx, null, { pageSize: 200, paths });
    const query = s.http.calls.find((c) => c.path.endsWith('/query/'))!.query!.q as string;
    expect(query).toMatch(/, Account\.Name FROM Contact /);
    expect(query).not.toMatch(/Owner\.|Nope|\.Owner/);
    const withAccount = page.records.filter((r) => r.data.AccountId !== null);
    expect(withAccount.length).toBeGreaterThan(0);
    for (const record of withAccount) expect((record.data.Account as Json).Name).toBe(accountNames.get(record.data.AccountId));
    const withoutAccount = page.records.filter((r) => r.data.AccountId === null);
    expect(withoutAccount.length).toBeGreaterThan(0);
    expect(withoutAccount.map((r) => r.data.Account)).toEqual(withoutAccount.map(() => null));
    // The run's fields live in its cursor: the next page selects the same ones.
    expect((page.cursor.run as Json).fields).toContain('Account.Name');

    const contact = withAccount[0]!;
    const fetched = await objectNamed('Contact').fetchOne(s.ctx, contact.id, { paths });
    expect(fetched).toMatchObject({ id: contact.id, version: contact.version, data: { Email: contact.data.Email, Account: { Name: accountNames.get(contact.data.AccountId) } } });
    // Without parent paths, the row's own resource (no Account); with them, a query by id.
    expect(await objectNamed('Contact').fetchOne(s.ctx, contact.id)).not.toHaveProperty('data.Account');
    const reads = s.http.calls.length;
    await objectNamed('Contact').fetchOne(s.ctx, contact.id, { paths });
    // The describes are kept: one query, nothing else.
    expect(s.http.calls.slice(reads).map((c) => c.path)).toEqual([expect.stringMatching(/\/query\/$/)]);
    await s.control(`/salesforce/Contact/${contact.id}`, 'DELETE');
    expect(await objectNamed('Contact').fetchOne(s.ctx, contact.id, { paths })).toBeNull();
  });

  it('fetches one record, and null for one that does not exist', async () => {
    const s = await start(20);
    const listed = (await s.control('/salesforce/Opportunity?limit=1')).records[0];
    const record = await objectNamed('Opportunity').fetchOne(s.ctx, listed.Id);
    expect(record).toMatchObject({ id: listed.Id, data: { Name: listed.Name } });
    expect(record?.version).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await s.control(`/salesforce/Opportunity/${listed.Id}`, 'DELETE');
    expect(await objectNamed('Opportunity').fetchOne(s.ctx, listed.Id)).toBeNull();
  });

  it('creates and updates a Contact, refusing a stale version with CONFLICT (If-Unmodified-Since)', async () => {
    const s = await start(20);
    const contact = objectNamed('Contact');
    const created = await contact.create!(s.ctx, { FirstName: 'Grace', LastName: 'Hopper', Email: 'grace@example.com' });
    expect(created.data).toMatchObject({ Name: 'Grace Hopper', Email: 'grace@example.com' });
    await s.advance(2_000);
    const updated = await contact.update!(s.ctx, created.id, { Title: 'Rear Admiral' }, { expectedVersion: created.version });
    expect(updated.data.Title).toBe('Rear Admiral');
    expect(updated.version).not.toBe(created.version);
    const sent = s.http.calls.find((c) => c.method === 'PATCH');
    expect(sent?.headers?.['if-unmodified-since']).toBe(new Date(created.version!).toUTCString());
    await s.advance(2_000);
    await s.control(`/salesforce/Contact/${created.id}`, 'PATCH', { Title: 'Someone else was here' });
    const stale = await failure(contact.update!(s.ctx, created.id, { Title: 'Mine' }, { expectedVersion: updated.version }));
    expect(stale.code).toBe('CONFLICT');
    expect((await contact.fetchOne(s.ctx, created.id))?.data.Title).toBe('Someone else was here');
    await contact.delete!(s.ctx, created.id);
    expect(await contact.fetchOne(s.ctx, created.id)).toBeNull();
    await contact.delete!(s.ctx, created.id); // already gone: still fine
  });

  it('updates an Account with If-Match on its ETag and refuses stale versions and ETags', async () => {
    const s = await start(20);
    const account = objectNamed('Account');
    const created = await account.create!(s.ctx, { Name: 'Analytical Engines Ltd' });
    const updated = await account.update!(s.ctx, created.id, { Industry: 'Technology' }, { expectedVersion: created.version });
    expect(updated.data.Industry).toBe('Technology');
    expect(s.http.calls.find((c) => c.method === 'PATCH')?.headers?.['if-match']).toMatch(/^".+"$/);
    const etag = (await fetch(`${s.ctx.connection.baseUrl}/services/data/v60.0/sobjects/Account/${created.id}`, {
      headers: { authorization: `Bearer ${((await s.control('/tokens', 'POST', { provider: 'salesforce' })) as Json).accessToken}` },
    })).headers.get('etag') as string;
    await s.advance(1_000);
    await s.control(`/salesforce/Account/${created.id}`, 'PATCH', { Phone: '+44 20 7946 0000' });
    expect((await failure(account.update!(s.ctx, created.id, { Industry: 'Finance' }, { expectedVersion: updated.version }))).code).toBe('CONFLICT');
    const staleEtag = await failure(account.update!(s.ctx, created.id, { Industry: 'Finance' }, { expectedVersion: etag }));
    expect(staleEtag.code).toBe('CONFLICT');
    expect(staleEtag.details?.status).toBe(412);
  });

  it('classifies the sandbox answers: expired session, daily limit, validation, not found, outage', async () => {
    const s = await start(20);
    const contact = objectNamed('Contact');
    const invalid = await failure(contact.create!(s.ctx, { FirstName: 'No last name' }));
    expect(invalid).toMatchObject({ code: 'PROVIDER_BAD_DATA', field: 'LastName', category: 'bad_data' });
    expect(invalid.details?.errorCode).toBe('REQUIRED_FIELD_MISSING');
    const missing = await failure(contact.update!(s.ctx, '003000000000000AAA', { Title: 'x' }));
    expect(missing).toMatchObject({ code: 'PROVIDER_REJECTED', category: 'permanent' });

    await s.control('/faults', 'POST', { provider: 'salesforce', kind: 'status', status: 503, count: 1 });
    expect((await failure(salesforceProvider.health(s.ctx))).code).toBe('PROVIDER_UNAVAILABLE');

    await s.control('/limits', 'PUT', { keyPrefix: 'salesforce:api', limit: 1 });
    await salesforceProvider.health(s.ctx).catch(() => undefined);
    const limited = await failure(salesforceProvider.health(s.ctx));
    expect(limited.code).toBe('PROVIDER_RATE_LIMITED');
    expect(limited.retryAfterMs).toBeGreaterThanOrEqual(60_000);
    await s.control('/limits', 'PUT', { keyPrefix: 'salesforce:api', limit: null });

    const shortLived = ((await s.control('/tokens', 'POST', { provider: 'salesforce', accessSeconds: 1 })) as Json).accessToken as string;
    s.setToken(shortLived);
    await s.advance(5_000);
    const expired = await failure(contact.fetchOne(s.ctx, '003000000000000AAA'));
    expect(expired).toMatchObject({ code: 'PROVIDER_AUTH_FAILED', category: 'auth' });
    expect(expired.message).not.toContain(shortLived);
    expect((await failure(salesforceProvider.validate(s.ctx))).code).toBe('PROVIDER_AUTH_FAILED');
  });
});
