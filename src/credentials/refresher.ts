import type { Credential } from '../domain/connection.ts';
import { TributaryError, isTributaryError, type ErrorCode } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Lease } from '../ports/locks.ts';
import { providerFor } from './endpoints.ts';
import { isRefreshable, iso, loadRow, providerOf, readSecret, sleep, toInfo, type ResolvedOptions, type StoredSecretValue, type StoredTokens } from './context.ts';
import type { RefreshOutcome } from './service.ts';
import { machineToken, refreshGrant } from './token-client.ts';
import { isDeadGrant, type TokenSet } from './token-response.ts';

/**
 * Token refresh, single-flight per credential across processes:
 *
 * 1. In this process, callers of the same credential share one promise.
 * 2. Across processes, the refresh holds the lease `credential-refresh:<id>` (Locks).
 * 3. Holding it, it RE-READS the stored tokens: if another process refreshed while this
 *    one waited (the token is no longer the stale one), it returns that token and
 *    writes a `skipped` audit row. Only then does it call the provider.
 * 4. The new access token and the (possibly rotated) refresh token are written as one
 *    secret value, so a rotated refresh token is never used twice nor half-stored.
 *
 * A dead grant (invalid_grant, bad_refresh_token, invalid_refresh_token, token_revoked,
 * ...) marks the credential `refresh_failed` and the connection `needs_reauth`, emits
 * `connection.needs_reauth` once, and is not retried: later uses fail fast with
 * PROVIDER_AUTH_FAILED. Transient failures are retried with jittered backoff, inside the
 * lease. Every attempt that reached the lease writes a token_refresh_audit row (90 days).
 */

/** Why the caller thinks the token is stale; decides, after the re-read, whether to call the provider. */
export type Staleness =
  /** Refresh unless the stored token differs from this one (a 401 answered it). */
  | { kind: 'rejected'; token: string }
  /** Refresh when the stored token expires within `ms`. */
  | { kind: 'within'; ms: number }
  | { kind: 'force' };

export interface RefreshResult {
  outcome: 'success' | 'skipped';
  row: Credential;
  tokens: StoredTokens;
}

const AUDIT_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

export class Refresher {
  readonly #ctx: ResolvedOptions;
  readonly #inflight = new Map<string, Promise<RefreshResult>>();

  constructor(ctx: ResolvedOptions) {
    this.#ctx = ctx;
  }

  /** Single-flight refresh (see the module comment). Throws the refresh's error. */
  refresh(tenantId: string, credentialId: string, staleness: Staleness): Promise<RefreshResult> {
    const key = `${tenantId}/${credentialId}`;
    const running = this.#inflight.get(key);
    if (running) return running;
    const promise = this.#refreshUnderLease(tenantId, credentialId, staleness).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, promise);
    return promise;
  }

  /** The public `refresh`: never throws for a refresh failure, reports it. */
  async outcome(tenantId: string, credentialId: string, staleness: Staleness): Promise<RefreshOutcome> {
    try {
      const result = await this.refresh(tenantId, credentialId, staleness);
      return { outcome: result.outcome, credential: toInfo(result.row, result.tokens) };
    } catch (error) {
      if (isTributaryError(error) && error.code === 'NOT_FOUND') throw error;
      const row = await loadRow(this.#ctx, tenantId, credentialId);
      return { outcome: 'failed', credential: toInfo(row), errorCode: codeOf(error) };
    }
  }

  async #refreshUnderLease(tenantId: string, credentialId: string, staleness: Staleness): Promise<RefreshResult> {
    const ctx = this.#ctx;
    const lease = await this.#acquire(`credential-refresh:${credentialId}`);
    const started = ctx.clock.now();
    let row: Credential | null = null;
    try {
      const loaded = await loadRow(ctx, tenantId, credentialId);
      // Failed for good already: fail fast, no provider call and no audit row (no storm).
      if (loaded.status === 'refresh_failed' || loaded.status === 'revoked') throw reauthNeeded(loaded);
      row = loaded;
      const secret = await readSecret(ctx, row, 'refresh');
      const current = secret.tokens;
      if (current && !this.#isStale(current, staleness)) {
        await this.#audit(row, 'skipped', null, started);
        return { outcome: 'skipped', row, tokens: current };
      }
      if (!isRefreshable(row.type, current)) {
        throw new TributaryError('PROVIDER_AUTH_FAILED', `Credential ${row.id} (${row.type}) cannot be refreshed; authorise the connection again`, { details: { credentialId: row.id } });
      }
      const fresh = await this.#requestWithRetries(row, secret);
      const tokens = this.#nextTokens(current, fresh);
      const stored: StoredSecretValue = { ...secret, tokens };
      await ctx.secrets.update(row.tenantId, row.secretRef as string, JSON.stringify(stored));
      const metadata = { ...row.metadata };
      if (fresh.scopes) metadata.scopes = fresh.scopes;
      if (fresh.instanceUrl) metadata.instanceUrl = fresh.instanceUrl;
      metadata.refreshable = isRefreshable(row.type, tokens);
      const updated = await ctx.store.credentials.update(
        row.tenantId,
        row.id,
        { status: 'valid', expiryTime: tokens.expiresAt === null ? null : iso(tokens.expiresAt), lastRefreshedAt: iso(ctx.clock.now()), refreshCountIncrement: 1, metadata },
        iso(ctx.clock.now()),
      );
      await this.#audit(row, 'success', null, started);
      ctx.logger?.info({ credentialId: row.id, provider: providerOf(row), durationMs: ctx.clock.now() - started }, 'credential refreshed');
      return { outcome: 'success', row: updated ?? row, tokens };
    } catch (error) {
      if (row !== null) await this.#onFailure(row, error, started);
      throw error;
    } finally {
      await ctx.locks.release(lease).catch(() => undefined);
    }
  }

  #isStale(tokens: StoredTokens, staleness: Staleness): boolean {
    switch (staleness.kind) {
      case 'force':
        return true;
      case 'rejected':
        return tokens.accessToken === staleness.token;
      case 'within':
        return tokens.expiresAt !== null && tokens.expiresAt - this.#ctx.clock.now() <= staleness.ms;
    }
  }

  #nextTokens(current: StoredTokens | null, fresh: TokenSet): StoredTokens {
    const now = this.#ctx.clock.now();
    return {
      accessToken: fresh.accessToken,
      // No refresh token in the answer: the old one stays valid (Google, Salesforce without rotation).
      refreshToken: fresh.refreshToken ?? current?.refreshToken ?? null,
      expiresAt: fresh.expiresIn === undefined ? null : now + fresh.expiresIn * 1000,
      issuedAt: now,
    };
  }

  async #requestWithRetries(row: Credential, secret: StoredSecretValue): Promise<TokenSet> {
    const ctx = this.#ctx;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#request(row, secret);
      } catch (error) {
        const retryable = isTributaryError(error) ? error.retryable : true;
        if (!retryable || attempt >= ctx.refreshAttempts) throw error;
        const delay = ctx.refreshBackoffMs * 2 ** (attempt - 1) * (0.5 + ctx.random());
        ctx.logger?.warn({ credentialId: row.id, attempt, errorCode: codeOf(error) }, 'credential refresh failed; retrying');
        await sleep(delay);
      }
    }
  }

  async #request(row: Credential, secret: StoredSecretValue): Promise<TokenSet> {
    const ctx = this.#ctx;
    const provider = providerOf(row);
    const authBaseUrl = String(row.metadata.authBaseUrl ?? providerFor(provider).defaultAuthBaseUrl);
    const material = secret.material;
    if (material.type === 'oauth2_authorization_code') {
      const client = material.clientId && material.clientSecret ? { clientId: material.clientId, clientSecret: material.clientSecret } : ctx.oauthClients(provider);
      if (!client) throw new TributaryError('PROVIDER_AUTH_FAILED', `No OAuth client is configured for ${provider}`, { details: { provider } });
      return refreshGrant(ctx.tokenDeps, { provider, authBaseUrl, client, refreshToken: secret.tokens?.refreshToken as string });
    }
    const apiBaseUrl = String(row.metadata.apiBaseUrl ?? providerFor(provider).defaultBaseUrl);
    return machineToken(ctx.tokenDeps, { provider, authBaseUrl, apiBaseUrl, material });
  }

  async #onFailure(row: Credential, error: unknown, started: number): Promise<void> {
    const ctx = this.#ctx;
    const code = codeOf(error);
    await this.#audit(row, 'failed', code, started).catch(() => undefined);
    if (!isDeadGrant(error)) {
      ctx.logger?.warn({ credentialId: row.id, provider: providerOf(row), errorCode: code }, 'credential refresh failed');
      try {
        ctx.events({ type: 'token_refresh.failing', tenantId: row.tenantId, connectionId: row.connectionId, credentialId: row.id, provider: providerOf(row), reason: code, at: iso(ctx.clock.now()) });
      } catch {
        // A listener's failure must not turn into a refresh failure.
      }
      return;
    }
    const now = iso(ctx.clock.now());
    await ctx.store.credentials.update(row.tenantId, row.id, { status: 'refresh_failed' }, now);
    await ctx.store.connections.update(row.tenantId, row.connectionId, { status: 'needs_reauth' }, now);
    const reason = String((error as TributaryError).details?.oauthError ?? code);
    ctx.logger?.warn({ credentialId: row.id, connectionId: row.connectionId, provider: providerOf(row), reason }, 'credential refresh failed for good; connection needs re-authorisation');
    try {
      ctx.events({ type: 'connection.needs_reauth', tenantId: row.tenantId, connectionId: row.connectionId, credentialId: row.id, provider: providerOf(row), reason, at: now });
    } catch {
      // A listener's failure must not turn into a refresh failure.
    }
  }

  async #audit(row: Credential, outcome: 'success' | 'failed' | 'skipped', errorCode: string | null, started: number): Promise<void> {
    const now = this.#ctx.clock.now();
    if (outcome !== 'skipped') {
      const event = { provider: providerOf(row), outcome: outcome === 'success' ? ('success' as const) : ('failure' as const), durationMs: Math.max(0, now - started) };
      this.#ctx.onRefresh(errorCode === null ? event : { ...event, reason: errorCode });
    }
    await this.#ctx.store.tokenRefreshAudit.append({
      id: newId('aud'),
      tenantId: row.tenantId,
      credentialId: row.id,
      connectionId: row.connectionId,
      at: iso(now),
      outcome,
      errorCode,
      durationMs: Math.max(0, now - started),
      expiresAt: iso(now + AUDIT_RETENTION_MS),
    });
  }

  /** Waits for the lease (another process is refreshing), up to a lease's length and a bit. */
  async #acquire(name: string): Promise<Lease> {
    const ctx = this.#ctx;
    const deadline = ctx.clock.now() + ctx.refreshLeaseMs + 5_000;
    for (let wait = 20; ; wait = Math.min(wait * 2, 250)) {
      const lease = await ctx.locks.acquire(name, ctx.owner, ctx.refreshLeaseMs);
      if (lease) return lease;
      if (ctx.clock.now() > deadline) throw new TributaryError('PROVIDER_UNAVAILABLE', 'Another process holds the credential refresh for too long', { details: { lock: name } });
      await sleep(wait * (0.5 + ctx.random()));
    }
  }
}

/** The error that says "a person must authorise this connection again". */
export function reauthNeeded(row: Credential): TributaryError {
  return new TributaryError('PROVIDER_AUTH_FAILED', `Connection ${row.connectionId} needs to be authorised again (its credential ${row.status === 'revoked' ? 'was revoked' : 'could not be refreshed'})`, {
    details: { connectionId: row.connectionId, credentialId: row.id, status: row.status },
  });
}

function codeOf(error: unknown): ErrorCode {
  return isTributaryError(error) ? error.code : 'INTERNAL';
}
