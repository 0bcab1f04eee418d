import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../src/backends/postgres/pg-test-support.ts';
import type { PostgresStore } from '../src/backends/postgres/store.ts';
import type { Clock } from '../src/ports/clock.ts';
import { CREDENTIAL_ACCESS_ACTION, CredentialAccessRecorder } from '../src/credentials/index.ts';
import { runWithRequestContext } from '../src/observability/index.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
let now = Date.UTC(2026, 0, 1);
const clock: Clock = { now: () => now };
let schema: PgTestSchema;
let store: PostgresStore;

beforeAll(async () => {
  schema = await createPgTestSchema(URL);
  store = schema.openStore(clock);
  await store.migrate();
});

afterAll(async () => {
  await schema.drop();
});

describe('credential access audit on PostgreSQL', () => {
  it('stores coalesced reads in the audit log, one tenant at a time, read back by action and connection', async () => {
    const recorder = new CredentialAccessRecorder({ audit: store.audit, clock, logger: null, process: 'credentials:7:cd' });
    for (let i = 0; i < 10; i++) recorder.record({ tenantId: 'ten_a', credentialId: 'crd_1', connectionId: 'con_1', purpose: 'provider_call' });
    recorder.record({ tenantId: 'ten_b', credentialId: 'crd_9', connectionId: 'con_9', purpose: 'refresh' });
    now += 60_000;
    recorder.record({ tenantId: 'ten_a', credentialId: 'crd_1', connectionId: 'con_1', purpose: 'provider_call' });
    await recorder.flush();
    const a = await store.audit.list({ tenantId: 'ten_a', action: CREDENTIAL_ACCESS_ACTION, limit: 50, cursor: null });
    expect(a.items.map((e) => [e.target, e.details['credentialId'], e.details['purpose']])).toEqual([['con_1', 'crd_1', 'provider_call'], ['con_1', 'crd_1', 'provider_call']]);
    const b = await store.audit.list({ tenantId: 'ten_b', action: CREDENTIAL_ACCESS_ACTION, target: 'con_9', limit: 50, cursor: null });
    expect(b.items.map((e) => e.details['purpose'])).toEqual(['refresh']);
  });

  it("names a request's tenant key, and purges the rows after 90 days while admin actions stay", async () => {
    const recorder = new CredentialAccessRecorder({ audit: store.audit, clock, logger: null, process: 'credentials:7:cd' });
    const actor = { kind: 'tenant' as const, keyId: 'key_ops', tenantId: 'ten_c' };
    runWithRequestContext({ requestId: 'req_9', actor, route: 'POST /v1/connections/:id/validate' }, () => {
      recorder.record({ tenantId: 'ten_c', credentialId: 'crd_3', connectionId: 'con_3', purpose: 'provider_call' });
    });
    await recorder.flush();
    await store.audit.append({ id: 'aud_admin_c', at: new Date(now).toISOString(), actor, action: 'connection.validate', tenantId: 'ten_c', target: 'con_3', details: {}, requestId: 'req_9' });
    const listed = await store.audit.list({ tenantId: 'ten_c', action: CREDENTIAL_ACCESS_ACTION, actorKind: 'tenant' });
    expect(listed.items).toMatchObject([{ actor, requestId: 'req_9', target: 'con_3', details: { credentialId: 'crd_3', route: 'POST /v1/connections/:id/validate' } }]);
    const ids = async () => (await store.audit.list({ tenantId: 'ten_c' })).items.map((e) => e.id).sort();
    await store.purgeExpired(now + 90 * 86_400_000 - 1);
    expect(await ids()).toEqual(['aud_admin_c', listed.items[0]!.id].sort());
    await store.purgeExpired(now + 90 * 86_400_000);
    expect(await ids()).toEqual(['aud_admin_c']);
  });
});
