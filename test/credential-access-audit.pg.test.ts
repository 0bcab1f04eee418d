import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgTestSchema, type PgTestSchema } from '../src/backends/postgres/pg-test-support.ts';
import type { PostgresStore } from '../src/backends/postgres/store.ts';
import type { Clock } from '../src/ports/clock.ts';
import { CREDENTIAL_ACCESS_ACTION, CredentialAccessRecorder } from '../src/credentials/index.ts';

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
});
