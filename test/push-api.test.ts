/**
 * The host product's entity writes through the real API (buildApi over the composed
 * services): create, patch with If-Match, delete, bulk with per-item results, each write
 * with its change-feed entry and outbox row; bad input answers 400 naming the field; a
 * stale version answers 409; another tenant's key reaches none of it.
 */
import { describe, expect, it } from 'vitest';
import { useTwoTenantPlatform } from './fixtures/two-tenants.ts';
import type { Json } from './push-fixture.ts';

const setup = useTwoTenantPlatform();

describe('host writes through the API', () => {
  it('creates, patches with If-Match, and deletes, each with a feed entry and an outbox row; a stale version is 409', async () => {
    const { s, tenant, call } = await setup();
    const created = await call('POST', '/v1/entities', { type: 'person', fields: { givenName: 'Grace', email: 'grace@example.com' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.etag).toBe('"1"');
    const entity = created.json();
    expect(entity).toMatchObject({ type: 'person', version: 1, fields: { givenName: 'Grace', email: 'grace@example.com' }, deletedAt: null });

    const patched = await call('PATCH', `/v1/entities/${entity.id}`, { fields: { phone: '+14155550100', email: null } }, undefined, { 'if-match': '"1"' });
    expect(patched.statusCode).toBe(200);
    expect(patched.headers.etag).toBe('"2"');
    expect(patched.json().fields).toEqual({ givenName: 'Grace', phone: '+14155550100' });

    const stale = await call('PATCH', `/v1/entities/${entity.id}`, { fields: { phone: '+1' } }, undefined, { 'if-match': '"1"' });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('version 2') });
    const staleBody = await call('PATCH', `/v1/entities/${entity.id}`, { fields: { phone: '+1' }, expectedVersion: 1 });
    expect(staleBody.statusCode).toBe(409);

    // Unchanged: no new version, no feed entry, no outbox row.
    const same = await call('PATCH', `/v1/entities/${entity.id}`, { fields: { phone: '+14155550100' } });
    expect(same.json().version).toBe(2);

    const deleted = await call('DELETE', `/v1/entities/${entity.id}`, undefined, undefined, { 'if-match': '2' });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ version: 3, deletedAt: expect.any(String) });
    expect((await call('PATCH', `/v1/entities/${entity.id}`, { fields: { phone: '+1' } })).statusCode).toBe(404);

    const feed = (await call('GET', '/v1/changes?since=0')).json().items as Json[];
    expect(feed.map((c) => c.change.op)).toEqual(['create', 'update', 'delete']);
    expect(feed[1].change).toMatchObject({ fields: { phone: '+14155550100', email: null }, version: 2, source: { kind: 'api' } });
    const outbox = (await call('GET', '/v1/outbox')).json().items as Json[];
    expect(outbox.map((o) => o.change.op)).toEqual(['delete', 'update', 'create']);
    expect(outbox.every((o) => o.entityId === entity.id && o.relayedAt !== null)).toBe(true);
    // Each row was handed to the queue at once, keyed by the row.
    expect((await s.queue.stats()).find((q) => q.queue === 'sync-outbound')?.ready).toBe(3);
    expect(await s.store.outbox.list(tenant.id, { pending: true })).toHaveLength(3);
  });

  it('answers 400 naming the field for bad input', async () => {
    const { call } = await setup();
    const cases: [string, string, unknown, string][] = [
      ['POST', '/v1/entities', { type: 'Not A Type', fields: {} }, 'body.type'],
      ['POST', '/v1/entities', { type: 'person', fields: [] }, 'body.fields'],
      ['POST', '/v1/entities', { type: 'person', fields: { 'bad name': 1 } }, 'body.fields.bad name'],
      ['POST', '/v1/entities', { type: 'person', fields: {}, extra: 1 }, 'body.extra'],
    ];
    for (const [method, url, payload, field] of cases) {
      const res = await call(method as 'POST', url, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    }
    const entity = (await call('POST', '/v1/entities', { type: 'person', fields: {} })).json();
    const badMatch = await call('PATCH', `/v1/entities/${entity.id}`, { fields: {} }, undefined, { 'if-match': 'yesterday' });
    expect(badMatch.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'headers.if-match' });
    const bulk = await call('POST', '/v1/entities/bulk', { items: [] });
    expect(bulk.json().error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'body.items' });
  });

  it('applies a bulk call in one transaction with a result per item', async () => {
    const { call } = await setup();
    const existing = (await call('POST', '/v1/entities', { type: 'organization', fields: { name: 'Initech' } })).json();
    const res = await call('POST', '/v1/entities/bulk', {
      items: [
        { op: 'create', type: 'person', fields: { givenName: 'Ada' } },
        { op: 'update', id: existing.id, fields: { domain: 'initech.example' }, expectedVersion: 1 },
        { op: 'create', type: 'Bad Type', fields: {} },
        { op: 'update', id: existing.id, fields: { name: 'Initrode' }, expectedVersion: 1 },
        { op: 'delete', id: 'ent_00000000000000000000000000000000' },
        { op: 'rename', id: existing.id },
      ],
    });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as Json[];
    expect(results.map((r) => [r.index, r.status, r.error?.code ?? null, r.error?.field ?? null])).toEqual([
      [0, 'created', null, null],
      [1, 'updated', null, null],
      [2, 'failed', 'VALIDATION_FAILED', 'body.items[2].type'],
      // The first update moved it to version 2 inside the same call.
      [3, 'failed', 'CONFLICT', 'expectedVersion'],
      [4, 'failed', 'NOT_FOUND', 'params.entityId'],
      [5, 'failed', 'VALIDATION_FAILED', 'body.items[5].op'],
    ]);
    expect(results[1].entity).toMatchObject({ version: 2, fields: { name: 'Initech', domain: 'initech.example' } });
    const outbox = (await call('GET', '/v1/outbox?pending=true')).json().items as Json[];
    expect(outbox).toHaveLength(3);
  });

  it('keeps tenants apart: another tenant\'s key cannot write, delete or see the outbox of this tenant\'s entities', async () => {
    const { tenant, call, otherKey } = await setup();
    const entity = (await call('POST', '/v1/entities', { type: 'person', fields: { givenName: 'Mine' } })).json();
    expect((await call('PATCH', `/v1/entities/${entity.id}`, { fields: { givenName: 'Theirs' } }, otherKey)).statusCode).toBe(404);
    expect((await call('DELETE', `/v1/entities/${entity.id}`, undefined, otherKey)).statusCode).toBe(404);
    expect((await call('PATCH', `/v1/tenants/${tenant.id}/entities/${entity.id}`, { fields: { givenName: 'Theirs' } }, otherKey)).statusCode).toBe(404);
    const bulk = (await call('POST', '/v1/entities/bulk', { items: [{ op: 'update', id: entity.id, fields: { givenName: 'Theirs' } }] }, otherKey)).json();
    expect(bulk.results[0]).toMatchObject({ status: 'failed', error: { code: 'NOT_FOUND' } });
    expect((await call('GET', '/v1/outbox', undefined, otherKey)).json().items).toEqual([]);
    expect((await call('GET', `/v1/entities/${entity.id}`)).json().fields).toEqual({ givenName: 'Mine' });
    expect((await call('GET', '/v1/outbox')).json().items).toHaveLength(1);
  });
});
