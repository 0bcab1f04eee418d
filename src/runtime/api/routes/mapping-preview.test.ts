import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from '../../../../sandbox/index.ts';
import { defaultMapping } from '../../../mapping/index.ts';
import { connectDemoProvider } from '../../demo/demo-connections.ts';
import { startTempPlatform, type TempPlatform } from '../../testing/temp-platform.ts';
import { SYSTEM_ACTOR } from '../../tenancy/index.ts';

interface PreviewAnswer {
  mappingVersion: number | null;
  records: { externalId: string; failed: boolean; fields: { field: string; value?: unknown; error?: string }[] }[];
  missing: string[];
}

describe('POST /v1/integrations/:id/mapping/preview', () => {
  let sandbox: Sandbox;
  let base: string;
  let t: TempPlatform;
  let headers: Record<string, string>;
  let integrationId: string;

  beforeAll(async () => {
    sandbox = await createSandbox({ seed: 3, size: 60, rateLimitScale: 100 });
    base = await sandbox.listen(0);
    t = await startTempPlatform({ allowPrivateEgress: true, logLevel: 'silent' });
    const { services } = t.platform;
    const context = { actor: SYSTEM_ACTOR, requestId: null };
    const tenant = await services.tenants.create(context, { name: 'Preview' });
    headers = { authorization: `Bearer ${(await services.apiKeys.create(context, { tenantId: tenant.id, name: 'k' })).plaintext}` };
    const connection = await connectDemoProvider(services, { tenantId: tenant.id, provider: 'salesforce', sandboxUrl: base, redirectUri: 'http://127.0.0.1:1/v1/oauth/callback' });
    integrationId = (await services.integrations.create(tenant.id, { connectionId: connection.id, object: 'Contact' })).id;
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await sandbox?.close();
  });

  it('applies the saved mapping to a few live records: each output field with its value', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/integrations/${integrationId}/mapping/preview`, headers, payload: { limit: 3 } });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<PreviewAnswer>();
    expect(answer.mappingVersion).toBe(1);
    expect(answer.records).toHaveLength(3);
    for (const record of answer.records) {
      expect(record.externalId).toMatch(/^003/);
      const email = record.fields.find((f) => f.field === 'person.email');
      expect(email?.value, JSON.stringify(record.fields)).toMatch(/@/);
      expect(record.fields.every((f) => f.error === undefined)).toBe(true);
    }
  });

  it('shows a bad field of a mapping under trial with its error, the good fields with their values, by id', async () => {
    const sample = await t.app.inject({ method: 'POST', url: `/v1/integrations/${integrationId}/mapping/preview`, headers });
    expect(sample.statusCode, sample.body).toBe(200);
    const first = sample.json<PreviewAnswer>().records[0]!;
    const mapping = structuredClone(defaultMapping('salesforce', 'Contact')!) as unknown as { targets: { fields: unknown[] }[] };
    mapping.targets[0]!.fields.push({ target: 'luckyNumber', source: 'LastName', transforms: [{ name: 'to_integer' }] });
    const response = await t.app.inject({
      method: 'POST', url: `/v1/integrations/${integrationId}/mapping/preview`, headers, payload: { mapping, ids: [first.externalId, '003000000000000AAA'] },
    });
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json<PreviewAnswer>();
    expect(answer.mappingVersion).toBeNull();
    expect(answer.missing).toEqual(['003000000000000AAA']);
    expect(answer.records).toHaveLength(1);
    const fields = answer.records[0]!.fields;
    const bad = fields.find((f) => f.field === 'person.luckyNumber');
    expect(bad?.error, JSON.stringify(fields)).toBeTruthy();
    expect(bad?.value).toBeUndefined();
    expect(fields.find((f) => f.field === 'person.familyName')?.value).toEqual(expect.any(String));
  });

  it('refuses a mapping that does not validate, naming the path', async () => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/integrations/${integrationId}/mapping/preview`, headers, payload: { mapping: { format: 1, targets: 'nope' } } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { code: string; field: string } }>().error.field).toMatch(/^body\.mapping/);
  });
});
