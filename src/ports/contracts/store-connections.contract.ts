import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Connection, Credential, TokenRefreshAudit } from '../../domain/connection.ts';
import { isTributaryError, type ErrorCode } from '../../domain/errors.ts';
import type { Store } from '../store.ts';

/**
 * The connection-side repositories of the Store port (connections, credentials, token
 * refresh audit, OAuth states): tenant isolation, partial updates, the refresher's
 * cross-tenant scan and single-use OAuth states. Called from `runStoreContract`.
 */

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

function connection(id: string, tenantId: string, offsetMs = 0, extra: Partial<Connection> = {}): Connection {
  return {
    id,
    tenantId,
    provider: 'github',
    name: `conn ${id}`,
    status: 'pending',
    baseUrl: null,
    account: { login: 'octo', ids: [1, 2] },
    credentialId: null,
    createdAt: iso(offsetMs),
    updatedAt: iso(offsetMs),
    ...extra,
  };
}

function credential(id: string, tenantId: string, connectionId: string, extra: Partial<Credential> = {}): Credential {
  return {
    id,
    tenantId,
    connectionId,
    integrationId: null,
    type: 'oauth2_authorization_code',
    accessTokenRef: 'sec_1',
    refreshTokenRef: 'sec_1',
    secretRef: 'sec_1',
    expiryTime: iso(3_600_000),
    enabled: true,
    lastRefreshedAt: null,
    refreshCount: 0,
    status: 'valid',
    metadata: { provider: 'github', scopes: ['repo'] },
    createdAt: iso(0),
    updatedAt: iso(0),
    ...extra,
  };
}

function audit(id: string, tenantId: string, credentialId: string, offsetMs: number): TokenRefreshAudit {
  return { id, tenantId, credentialId, connectionId: 'con_a', at: iso(offsetMs), outcome: 'success', errorCode: null, durationMs: 12, expiresAt: iso(offsetMs + 90 * 86_400_000) };
}

async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTributaryError(error) ? error.code : error).toBe(code);
}

/** A fresh, empty, not yet migrated store (the same fixture `runStoreContract` takes). */
export interface ConnectionStoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export function runConnectionRepositoriesContract(name: string, create: () => Promise<ConnectionStoreFixture>): void {
  describe(`Store contract: ${name} connections and credentials`, () => {
    let fixture: ConnectionStoreFixture;
    let store: Store;

    beforeEach(async () => {
      fixture = await create();
      store = fixture.store;
      await store.migrate();
      for (const id of ['ten_a', 'ten_b']) await store.tenants.insert({ id, name: id, metadata: {}, createdAt: iso(0), updatedAt: iso(0) });
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('connections', () => {
      it('returns an inserted connection within its tenant only', async () => {
        await store.connections.insert(connection('con_a', 'ten_a'));
        expect(await store.connections.get('ten_a', 'con_a')).toEqual(connection('con_a', 'ten_a'));
        expect(await store.connections.get('ten_b', 'con_a')).toBeNull();
        expect((await store.connections.list('ten_b')).items).toEqual([]);
      });

      it('refuses a connection for a tenant that does not exist, and a duplicate id', async () => {
        await expectCode(store.connections.insert(connection('con_x', 'ten_missing')), 'NOT_FOUND');
        await store.connections.insert(connection('con_a', 'ten_a'));
        await expectCode(store.connections.insert(connection('con_a', 'ten_a')), 'CONFLICT');
      });

      it('updates only the patched fields, can clear nullable ones, and never another tenant\'s row', async () => {
        await store.connections.insert(connection('con_a', 'ten_a', 0, { baseUrl: 'https://x.example', credentialId: 'crd_1' }));
        expect(await store.connections.update('ten_b', 'con_a', { status: 'active' }, iso(5))).toBeNull();
        const updated = await store.connections.update('ten_a', 'con_a', { status: 'needs_reauth', credentialId: null }, iso(5));
        expect(updated).toEqual({ ...connection('con_a', 'ten_a', 0, { baseUrl: 'https://x.example' }), status: 'needs_reauth', credentialId: null, updatedAt: iso(5) });
        const again = await store.connections.update('ten_a', 'con_a', { account: { org: 'o' }, baseUrl: null, name: 'renamed' }, iso(6));
        expect(again).toMatchObject({ status: 'needs_reauth', account: { org: 'o' }, baseUrl: null, name: 'renamed' });
      });

      it('lists a tenant\'s connections page by page, and every tenant\'s with listAll', async () => {
        for (let i = 0; i < 5; i++) await store.connections.insert(connection(`con_${i}`, i % 2 === 0 ? 'ten_a' : 'ten_b', i));
        const first = await store.connections.list('ten_a', { limit: 2 });
        expect(first.items.map((c) => c.id)).toEqual(['con_0', 'con_2']);
        const second = await store.connections.list('ten_a', { limit: 2, cursor: first.nextCursor });
        expect(second.items.map((c) => c.id)).toEqual(['con_4']);
        expect(second.nextCursor).toBeNull();
        expect((await store.connections.listAll({ limit: 10 })).items.map((c) => c.id)).toEqual(['con_0', 'con_1', 'con_2', 'con_3', 'con_4']);
      });

      it('deletes within the tenant only, and its credentials with it', async () => {
        await store.connections.insert(connection('con_a', 'ten_a'));
        await store.credentials.insert(credential('crd_a', 'ten_a', 'con_a'));
        expect(await store.connections.delete('ten_b', 'con_a')).toBe(false);
        expect(await store.connections.delete('ten_a', 'con_a')).toBe(true);
        expect(await store.connections.get('ten_a', 'con_a')).toBeNull();
        expect(await store.credentials.get('ten_a', 'crd_a')).toBeNull();
      });
    });

    describe('credentials', () => {
      beforeEach(async () => {
        await store.connections.insert(connection('con_a', 'ten_a'));
        await store.connections.insert(connection('con_b', 'ten_b'));
      });

      it('returns an inserted credential within its tenant only', async () => {
        await store.credentials.insert(credential('crd_a', 'ten_a', 'con_a'));
        expect(await store.credentials.get('ten_a', 'crd_a')).toEqual(credential('crd_a', 'ten_a', 'con_a'));
        expect(await store.credentials.get('ten_b', 'crd_a')).toBeNull();
        expect(await store.credentials.listByConnection('ten_b', 'con_a')).toEqual([]);
        expect((await store.credentials.listByConnection('ten_a', 'con_a')).map((c) => c.id)).toEqual(['crd_a']);
      });

      it('refuses a credential for a connection that does not exist', async () => {
        await expectCode(store.credentials.insert(credential('crd_x', 'ten_a', 'con_missing')), 'NOT_FOUND');
      });

      it('increments the refresh count without losing concurrent increments', async () => {
        await store.credentials.insert(credential('crd_a', 'ten_a', 'con_a'));
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.credentials.update('ten_a', 'crd_a', { refreshCountIncrement: 1, lastRefreshedAt: iso(i) }, iso(i))));
        const row = await store.credentials.get('ten_a', 'crd_a');
        expect(row?.refreshCount).toBe(10);
      });

      it('updates only the patched fields and can clear the expiry', async () => {
        await store.credentials.insert(credential('crd_a', 'ten_a', 'con_a'));
        expect(await store.credentials.update('ten_b', 'crd_a', { status: 'revoked' }, iso(1))).toBeNull();
        const row = await store.credentials.update('ten_a', 'crd_a', { status: 'refresh_failed', expiryTime: null, metadata: { provider: 'github' } }, iso(1));
        expect(row).toEqual({ ...credential('crd_a', 'ten_a', 'con_a'), status: 'refresh_failed', expiryTime: null, metadata: { provider: 'github' }, updatedAt: iso(1) });
      });

      it('lists valid, enabled credentials expiring before a time, across tenants, soonest first', async () => {
        await store.credentials.insert(credential('crd_late', 'ten_a', 'con_a', { expiryTime: iso(7_200_000) }));
        await store.credentials.insert(credential('crd_soon', 'ten_b', 'con_b', { expiryTime: iso(60_000) }));
        await store.credentials.insert(credential('crd_mid', 'ten_a', 'con_a', { expiryTime: iso(600_000) }));
        await store.credentials.insert(credential('crd_never', 'ten_a', 'con_a', { expiryTime: null }));
        await store.credentials.insert(credential('crd_failed', 'ten_a', 'con_a', { expiryTime: iso(1000), status: 'refresh_failed' }));
        await store.credentials.insert(credential('crd_off', 'ten_a', 'con_a', { expiryTime: iso(1000), enabled: false }));
        expect((await store.credentials.listExpiring(iso(3_600_000), 10)).map((c) => c.id)).toEqual(['crd_soon', 'crd_mid']);
        expect((await store.credentials.listExpiring(iso(3_600_000), 1)).map((c) => c.id)).toEqual(['crd_soon']);
      });

      it('deletes within the tenant only', async () => {
        await store.credentials.insert(credential('crd_a', 'ten_a', 'con_a'));
        expect(await store.credentials.delete('ten_b', 'crd_a')).toBe(false);
        expect(await store.credentials.delete('ten_a', 'crd_a')).toBe(true);
        expect(await store.credentials.delete('ten_a', 'crd_a')).toBe(false);
      });
    });

    describe('tokenRefreshAudit', () => {
      it('lists a tenant\'s rows newest first, filtered by credential, page by page', async () => {
        await store.tokenRefreshAudit.append(audit('aud_1', 'ten_a', 'crd_a', 1));
        await store.tokenRefreshAudit.append(audit('aud_2', 'ten_a', 'crd_b', 2));
        await store.tokenRefreshAudit.append(audit('aud_3', 'ten_a', 'crd_a', 3));
        await store.tokenRefreshAudit.append(audit('aud_4', 'ten_b', 'crd_a', 4));
        expect((await store.tokenRefreshAudit.list('ten_a')).items.map((a) => a.id)).toEqual(['aud_3', 'aud_2', 'aud_1']);
        const first = await store.tokenRefreshAudit.list('ten_a', { credentialId: 'crd_a', limit: 1 });
        expect(first.items).toEqual([audit('aud_3', 'ten_a', 'crd_a', 3)]);
        const second = await store.tokenRefreshAudit.list('ten_a', { credentialId: 'crd_a', limit: 1, cursor: first.nextCursor });
        expect(second.items.map((a) => a.id)).toEqual(['aud_1']);
        expect(second.nextCursor).toBeNull();
      });

      it('is purged once its rows expire', async () => {
        await store.tokenRefreshAudit.append(audit('aud_1', 'ten_a', 'crd_a', 0));
        expect(await store.purgeExpired(T0 + 91 * 86_400_000)).toBeGreaterThanOrEqual(1);
        expect((await store.tokenRefreshAudit.list('ten_a')).items).toEqual([]);
      });
    });

    describe('oauthStates', () => {
      const state = (id: string, expiresOffsetMs: number) => ({
        state: id,
        tenantId: 'ten_a',
        connectionId: 'con_a',
        provider: 'github',
        data: { redirectUri: 'https://app.example/cb', scopes: ['repo'] },
        codeVerifier: `verifier-${id}`,
        createdAt: iso(0),
        expiresAt: iso(expiresOffsetMs),
      });

      it('gives a state back exactly once, even to concurrent takers', async () => {
        await store.oauthStates.insert(state('st_1', 600_000));
        const taken = await Promise.all([store.oauthStates.take('st_1', iso(1)), store.oauthStates.take('st_1', iso(1))]);
        expect(taken.filter((t) => t !== null)).toEqual([state('st_1', 600_000)]);
        expect(await store.oauthStates.take('st_1', iso(2))).toBeNull();
      });

      it('does not give back an expired state, nor an unknown one', async () => {
        await store.oauthStates.insert(state('st_old', 1000));
        expect(await store.oauthStates.take('st_old', iso(1000))).toBeNull();
        expect(await store.oauthStates.take('st_nope', iso(0))).toBeNull();
      });

      it('refuses a duplicate state', async () => {
        await store.oauthStates.insert(state('st_1', 600_000));
        await expectCode(store.oauthStates.insert(state('st_1', 600_000)), 'CONFLICT');
      });
    });
  });
}
