import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../domain/tenancy.ts';
import type { Clock } from '../ports/clock.ts';
import type { AuditRepository } from '../ports/store.ts';
import { CredentialAccessRecorder } from './access-audit.ts';

function recorder(fail = false) {
  const rows: AuditEntry[] = [];
  let now = Date.UTC(2026, 0, 1);
  const audit: AuditRepository = {
    append: (entry) => (fail ? Promise.reject(new Error('disk full')) : (rows.push(entry), Promise.resolve())),
    list: () => Promise.resolve({ items: rows, nextCursor: null }),
  };
  const clock: Clock = { now: () => now };
  const r = new CredentialAccessRecorder({ audit, clock, logger: null, process: 'credentials:1:ab' });
  return { r, rows, advance: (ms: number) => (now += ms) };
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

  it('never throws to the reader when the audit write fails', async () => {
    const { r } = recorder(true);
    expect(() => r.record(access)).not.toThrow();
    await expect(r.flush()).resolves.toBeUndefined();
  });
});
