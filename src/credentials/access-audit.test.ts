import { describe, expect, it } from 'vitest';
import type { Actor, AuditEntry } from '../domain/tenancy.ts';
import { runWithLogContext, runWithRequestContext } from '../observability/index.ts';
import type { Clock } from '../ports/clock.ts';
import type { AuditRepository, AuditRetention } from '../ports/store.ts';
import { CredentialAccessRecorder } from './access-audit.ts';

function recorder(fail = false) {
  const rows: AuditEntry[] = [];
  const retentions: (AuditRetention | undefined)[] = [];
  let now = Date.UTC(2026, 0, 1);
  const audit: AuditRepository = {
    append: (entry, retention) => (fail ? Promise.reject(new Error('disk full')) : (rows.push(entry), retentions.push(retention), Promise.resolve())),
    list: () => Promise.resolve({ items: rows, nextCursor: null }),
  };
  const clock: Clock = { now: () => now };
  const r = new CredentialAccessRecorder({ audit, clock, logger: null, process: 'credentials:1:ab' });
  return { r, rows, retentions, advance: (ms: number) => (now += ms) };
}

const access = { tenantId: 'ten_a', credentialId: 'crd_1', connectionId: 'con_1', purpose: 'provider_call' as const };

describe('CredentialAccessRecorder', () => {
  it('writes one row per credential and purpose per minute', async () => {
    const { r, rows, advance } = recorder();
    for (let i = 0; i < 100; i++) r.record(access);
    r.record({ ...access, purpose: 'refresh' });
    r.record({ ...access, tenantId: 'ten_b', credentialId: 'crd_2' });
    await r.flush();
    expect(rows.map((e) => `${e.tenantId}/${String(e.details['credentialId'])}/${String(e.details['purpose'])}`)).toEqual(['ten_a/crd_1/provider_call', 'ten_a/crd_1/refresh', 'ten_b/crd_2/provider_call']);
    advance(59_999);
    r.record(access);
    await r.flush();
    expect(rows.length).toBe(3);
    advance(1);
    r.record(access);
    await r.flush();
    expect(rows.length).toBe(4);
    expect(rows[3]).toMatchObject({ action: 'credential.access', target: 'con_1', actor: { kind: 'system' }, details: { process: 'credentials:1:ab' } });
  });

  it('keeps each row 90 days, like token refreshes', async () => {
    const { r, retentions } = recorder();
    r.record(access);
    await r.flush();
    expect(retentions).toEqual([{ expiresAt: new Date(Date.UTC(2026, 0, 1) + 90 * 86_400_000).toISOString() }]);
  });

  it("names the request's caller and request id inside an API request, and the job inside a queue job", async () => {
    const { r, rows } = recorder();
    const tenantKey: Actor = { kind: 'tenant', keyId: 'key_ops', tenantId: 'ten_a' };
    runWithRequestContext({ requestId: 'req_1', actor: tenantKey, route: 'POST /v1/connections/:id/validate' }, () => r.record(access));
    // Another caller's read within the minute is its own row; the same caller's is not.
    runWithRequestContext({ requestId: 'req_2', actor: tenantKey, route: 'POST /v1/connections/:id/validate' }, () => r.record(access));
    runWithRequestContext({ requestId: 'req_3', actor: { kind: 'admin', keyId: 'key_root', tenantId: null }, route: 'POST /v1/mapping-preview' }, () => r.record(access));
    // A route that takes no key (the OAuth callback): Tributary acted, under that request.
    runWithRequestContext({ requestId: 'req_4', actor: null, route: 'GET /v1/oauth/callback' }, () => r.record({ ...access, purpose: 'oauth_client' }));
    await runWithLogContext({ jobId: 'job_7', queue: 'sync-inbound', correlationId: 'int_1' }, async () => {
      await Promise.resolve();
      r.record(access);
    });
    // The token refresher's timer pass: no job, a named task.
    runWithLogContext({ task: 'token-refresher' }, () => r.record({ ...access, purpose: 'refresh' }));
    r.record({ ...access, purpose: 'material' });
    await r.flush();
    expect(rows.map((e) => ({ actor: e.actor, requestId: e.requestId, route: e.details['route'], job: e.details['job'], task: e.details['task'] }))).toEqual([
      { actor: tenantKey, requestId: 'req_1', route: 'POST /v1/connections/:id/validate', job: undefined, task: undefined },
      { actor: { kind: 'admin', keyId: 'key_root', tenantId: null }, requestId: 'req_3', route: 'POST /v1/mapping-preview', job: undefined, task: undefined },
      { actor: { kind: 'system', keyId: null, tenantId: null }, requestId: 'req_4', route: 'GET /v1/oauth/callback', job: undefined, task: undefined },
      { actor: { kind: 'system', keyId: null, tenantId: null }, requestId: null, route: undefined, job: { queue: 'sync-inbound', id: 'job_7', correlationId: 'int_1' }, task: undefined },
      { actor: { kind: 'system', keyId: null, tenantId: null }, requestId: null, route: undefined, job: undefined, task: 'token-refresher' },
      { actor: { kind: 'system', keyId: null, tenantId: null }, requestId: null, route: undefined, job: undefined, task: undefined },
    ]);
    expect(rows.every((e) => e.details['process'] === 'credentials:1:ab')).toBe(true);
  });

  it('never throws to the reader when the audit write fails', async () => {
    const { r } = recorder(true);
    expect(() => r.record(access)).not.toThrow();
    await expect(r.flush()).resolves.toBeUndefined();
  });
});
