/**
 * API routes the admin UI relies on, over the real platform (buildApi, SQLite, API keys,
 * tenant scope): the transform list for the mapping editor, one entity's change history
 * (`/v1/changes?entityId=`), and dedup rules refused at integration create and PATCH.
 */
import { describe, expect, it } from 'vitest';
import { listTransforms } from '../src/mapping/index.ts';
import { useTwoTenantPlatform } from './fixtures/two-tenants.ts';

const setup = useTwoTenantPlatform();

describe('GET /v1/mapping/transforms', () => {
  it('lists every built-in transform with its arguments and whether it inverts, to any key and to no anonymous caller', async () => {
    const { call, temp } = await setup();
    const response = await call('GET', '/v1/mapping/transforms');
    expect(response.statusCode).toBe(200);
    const items = response.json().items as { name: string; description: string; args: { name: string; required: boolean }[]; minArgs: number; maxArgs: number; invertible: boolean; inverse: string | null }[];
    expect(items.map((item) => item.name)).toEqual(listTransforms().map((transform) => transform.name));
    const trim = items.find((item) => item.name === 'trim')!;
    expect(trim).toMatchObject({ invertible: true, minArgs: 0 });
    expect(trim.description).not.toBe('');
    for (const item of items) {
      expect(item.invertible).toBe(item.inverse !== null);
      expect(item.maxArgs).toBe(item.args.length);
      expect(item.minArgs).toBe(item.args.filter((arg) => arg.required).length);
    }
    expect(items.some((item) => !item.invertible)).toBe(true);
    expect((await temp.app.inject({ method: 'GET', url: '/v1/mapping/transforms' })).statusCode).toBe(401);
  });
});

describe('GET /v1/changes?entityId=', () => {
  it("returns one entity's changes only, and nothing of another tenant's entity", async () => {
    const { call, otherKey } = await setup();
    const ada = (await call('POST', '/v1/entities', { type: 'person', fields: { name: 'Ada' } })).json() as { id: string };
    const bob = (await call('POST', '/v1/entities', { type: 'person', fields: { name: 'Bob' } })).json() as { id: string };
    expect((await call('PATCH', `/v1/entities/${ada.id}`, { fields: { title: 'CTO' } })).statusCode).toBe(200);
    expect((await call('PATCH', `/v1/entities/${bob.id}`, { fields: { title: 'CFO' } })).statusCode).toBe(200);

    const all = (await call('GET', '/v1/changes')).json() as { items: { entityId: string; seq: number }[] };
    expect(new Set(all.items.map((c) => c.entityId))).toEqual(new Set([ada.id, bob.id]));
    const mine = (await call('GET', `/v1/changes?entityId=${ada.id}`)).json() as { items: { entityId: string; seq: number }[]; nextSince: number };
    expect(mine.items.length).toBe(all.items.filter((c) => c.entityId === ada.id).length);
    expect(mine.items.length).toBeGreaterThanOrEqual(2);
    expect(mine.items.every((c) => c.entityId === ada.id)).toBe(true);
    expect(mine.nextSince).toBe(mine.items.at(-1)!.seq);
    // Paging within one entity's history.
    const first = (await call('GET', `/v1/changes?entityId=${ada.id}&limit=1`)).json() as { items: { seq: number }[]; nextSince: number };
    const rest = (await call('GET', `/v1/changes?entityId=${ada.id}&since=${first.nextSince}`)).json() as { items: { seq: number }[] };
    expect([...first.items, ...rest.items].map((c) => c.seq)).toEqual(mine.items.map((c) => c.seq));

    // Another tenant naming Ada's id sees nothing.
    const theirs = await call('GET', `/v1/changes?entityId=${ada.id}`, undefined, otherKey);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json().items).toEqual([]);
    expect((await call('GET', '/v1/changes?entityId=not-an-id')).statusCode).toBe(400);
  });
});

describe('dedupRules on integrations', () => {
  it('refuses malformed rules on create and PATCH with a 400 naming the field, and keeps valid ones', async () => {
    const { s, tenant, call } = await setup();
    const now = new Date().toISOString();
    await s.store.connections.insert({ id: 'con_sf', tenantId: tenant.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: 'https://example.my.salesforce.com', account: {}, credentialId: null, createdAt: now, updatedAt: now });
    const create = (dedupRules: unknown) => call('POST', '/v1/integrations', { connectionId: 'con_sf', object: 'Contact', dedupRules });
    const fieldOf = async (response: Promise<{ statusCode: number; json(): { error: { code: string; field: string } } }>) => {
      const answer = await response;
      expect(answer.statusCode).toBe(400);
      expect(answer.json().error.code).toBe('VALIDATION_FAILED');
      return answer.json().error.field;
    };
    const person = { fields: [{ field: 'email', kind: 'email' }, { field: 'name', kind: 'name' }], thresholds: { match: 0.9, review: 0.6 } };

    expect(await fieldOf(create({ enabled: 'yes' }))).toBe('body.dedupRules.enabled');
    expect(await fieldOf(create({ people: person }))).toBe('body.dedupRules.people');
    expect(await fieldOf(create({ person: { ...person, fields: 'email' } }))).toBe('body.dedupRules.person.fields');
    expect(await fieldOf(create({ person: { ...person, fields: [{ field: 'email', kind: 'mail' }] } }))).toBe('body.dedupRules.person.fields.0.kind');
    expect(await fieldOf(create({ person: { ...person, fields: [{ field: 'email', kind: 'email', comparator: 'soundex' }] } }))).toBe('body.dedupRules.person.fields.0.comparator');
    expect(await fieldOf(create({ person: { ...person, thresholds: { match: 0.5, review: 0.9 } } }))).toBe('body.dedupRules.person.thresholds.review');
    expect(await fieldOf(create({ person: { ...person, thresholds: { match: 1.5, review: 0.5 } } }))).toBe('body.dedupRules.person.thresholds.match');
    expect(await fieldOf(create({ organization: { fields: [], thresholds: { match: 0.9, review: 0.5 } } }))).toBe('body.dedupRules.organization.fields');
    expect(await fieldOf(create({ person: { ...person, fields: [person.fields[0], person.fields[0]] } }))).toBe('body.dedupRules.person.fields.1');
    expect((await call('GET', '/v1/integrations')).json().items).toEqual([]);

    const created = await create({ enabled: true, person });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { id: string }).id;
    expect(await fieldOf(call('PATCH', `/v1/integrations/${id}`, { dedupRules: { person: { ...person, thresholds: { match: 0.9 } } } }))).toBe('body.dedupRules.person.thresholds');
    expect((await call('GET', `/v1/integrations/${id}`)).json().dedupRules).toEqual({ enabled: true, person });
    const patched = await call('PATCH', `/v1/integrations/${id}`, { dedupRules: { enabled: false } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json().dedupRules).toEqual({ enabled: false });
  });
});
