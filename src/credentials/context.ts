import { randomBytes } from 'node:crypto';
import type { Credential } from '../domain/connection.ts';
import { TributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Clock, RandomSource } from '../ports/clock.ts';
import type { Locks } from '../ports/locks.ts';
import type { Logger } from '../ports/logger.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import type { CredentialType, ProviderId } from '../providers/provider.ts';
import type { CredentialEvent, CredentialInfo, CredentialServiceOptions, CredentialStatus } from './service.ts';
import type { TokenClientDeps } from './token-client.ts';
import type { CredentialMaterial } from './validation.ts';
import { CredentialAccessRecorder, type CredentialAccessPurpose } from './access-audit.ts';

/**
 * What the credentials modules share: resolved options (defaults live here only) and the
 * reads and writes of a credential's row and secret.
 *
 * The secret value of a credential is one JSON document (`StoredSecretValue`): the static
 * material (client secret, private key, api key...) and the current token pair. A refresh
 * replaces the whole value in one SecretStore write, so the access token and a rotated
 * refresh token can never be stored half-updated. The row keeps the expiry too (the
 * refresher's scan), but the secret is the truth for the token in use.
 */

export interface StoredTokens {
  accessToken: string;
  refreshToken: string | null;
  /** Epoch ms; null when the provider gives no lifetime (non-expiring, Salesforce sessions). */
  expiresAt: number | null;
  issuedAt: number;
}

export interface StoredSecretValue {
  v: 1;
  material: CredentialMaterial;
  tokens: StoredTokens | null;
}

export interface ResolvedOptions {
  store: Store;
  secrets: SecretStore;
  locks: Locks;
  clock: Clock;
  random: RandomSource;
  logger: Logger | null;
  events: (event: CredentialEvent) => void;
  onRefresh: NonNullable<CredentialServiceOptions['onRefresh']>;
  oauthClients: CredentialServiceOptions['oauthClients'];
  tokenDeps: TokenClientDeps;
  refreshMarginMs: number;
  refreshLeaseMs: number;
  refreshAttempts: number;
  refreshBackoffMs: number;
  oauthStateTtlMs: number;
  /** Names this process as a lease holder: pid plus a random part. */
  owner: string;
  /** Every secret read is audited (coalesced), never its value. */
  accessAudit: CredentialAccessRecorder;
}

export function resolveOptions(options: CredentialServiceOptions): ResolvedOptions {
  const clock = options.clock;
  const tokenTimeoutMs = options.tokenTimeoutMs ?? 15_000;
  const owner = `credentials:${process.pid}:${randomBytes(6).toString('hex')}`;
  return {
    store: options.store,
    secrets: options.secrets,
    locks: options.locks,
    clock,
    random: options.random ?? Math.random,
    logger: options.logger ?? null,
    events: options.events ?? (() => undefined),
    onRefresh: options.onRefresh ?? (() => undefined),
    oauthClients: options.oauthClients,
    tokenDeps: { fetch: options.fetch ?? fetch, egress: options.egress, timeoutMs: tokenTimeoutMs, now: () => clock.now() },
    refreshMarginMs: options.refreshMarginMs ?? 300_000,
    refreshLeaseMs: options.refreshLeaseMs ?? 60_000,
    refreshAttempts: options.refreshAttempts ?? 3,
    refreshBackoffMs: options.refreshBackoffMs ?? 250,
    oauthStateTtlMs: options.oauthStateTtlMs ?? 600_000,
    owner,
    accessAudit: new CredentialAccessRecorder({ audit: options.store.audit, clock, logger: options.logger ?? null, process: owner }),
  };
}

export function newCredentialId(): string {
  return newId('crd');
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/** Types whose token can be renewed without a person. */
export function isRefreshable(type: string, tokens: StoredTokens | null): boolean {
  switch (type) {
    case 'oauth2_client_credentials':
    case 'jwt_bearer':
    case 'github_app_installation':
      return true;
    case 'oauth2_authorization_code':
      return tokens?.refreshToken != null;
    default:
      return false;
  }
}

export async function loadRow(ctx: ResolvedOptions, tenantId: string, credentialId: string): Promise<Credential> {
  const row = await ctx.store.credentials.get(tenantId, credentialId);
  if (!row) throw new TributaryError('NOT_FOUND', `Credential ${credentialId} not found`, { details: { credentialId } });
  return row;
}

export async function readSecret(ctx: ResolvedOptions, row: Credential, purpose: CredentialAccessPurpose): Promise<StoredSecretValue> {
  if (!row.secretRef) throw new TributaryError('SECRET_NOT_FOUND', `Credential ${row.id} has no secret`);
  const text = await ctx.secrets.get(row.tenantId, row.secretRef);
  ctx.accessAudit.record({ tenantId: row.tenantId, credentialId: row.id, connectionId: row.connectionId, purpose });
  try {
    return JSON.parse(text) as StoredSecretValue;
  } catch (cause) {
    // Never include the text: it is secret.
    throw new TributaryError('SECRET_DECRYPT_FAILED', `Credential ${row.id} secret is not readable`, { cause: cause instanceof Error ? new Error(cause.name) : undefined });
  }
}

/** The connection a credential is for: NOT_FOUND outside the tenant, VALIDATION_FAILED (`provider`) for another provider's. */
export async function assertConnection(ctx: ResolvedOptions, tenantId: string, connectionId: string, provider: ProviderId): Promise<void> {
  const connection = await ctx.store.connections.get(tenantId, connectionId);
  if (!connection) throw new TributaryError('NOT_FOUND', `Connection ${connectionId} not found`, { field: 'connectionId' });
  if (connection.provider !== provider) throw new TributaryError('VALIDATION_FAILED', `Connection ${connectionId} is a ${connection.provider} connection, not ${provider}`, { field: 'provider' });
}

export function providerOf(row: Credential): ProviderId {
  return row.metadata.provider as ProviderId;
}

/** Metadata only; `tokens` decides `refreshable` when the caller has read the secret. */
export function toInfo(row: Credential, tokens?: StoredTokens | null): CredentialInfo {
  const { provider, scopes, refreshable, ...rest } = row.metadata;
  return {
    id: row.id,
    tenantId: row.tenantId,
    connectionId: row.connectionId,
    provider: provider as ProviderId,
    type: row.type as CredentialType,
    status: row.status as CredentialStatus,
    expiresAt: row.expiryTime,
    lastRefreshedAt: row.lastRefreshedAt,
    refreshCount: row.refreshCount,
    scopes: Array.isArray(scopes) ? (scopes as string[]) : [],
    refreshable: tokens === undefined ? refreshable === true : isRefreshable(row.type, tokens),
    metadata: rest,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
