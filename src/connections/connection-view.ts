/**
 * How a connection is kept and shown. The store's `connections.account` JSON column holds
 * the connection's profile (account info, settings, OAuth base URL, discovered objects,
 * last error), so that nothing about a connection needs a second table; the API shows a
 * `ConnectionView`, which carries credential METADATA only, never a secret value.
 */
import type { Connection, ConnectionStatus } from '../domain/connection.ts';
import type { AccountInfo, ObjectSchema } from '../providers/index.ts';

/** What `connections.account` holds. Every field optional: older rows may lack some. */
export interface ConnectionProfile {
  /** The provider account, from `validate`. */
  account?: AccountInfo | null;
  /** Provider-specific settings the tenant gave (Notion data source, GitHub org/repositories...). */
  settings?: Record<string, unknown>;
  /** Where the provider's OAuth endpoints live, when not the provider's default. */
  authBaseUrl?: string | null;
  /** The last `discover` result. */
  objects?: ObjectSchema[] | null;
  /** Why the connection is in `error` / `needs_reauth`; null once it validates again. */
  lastError?: { code: string; message: string; at: string } | null;
  /** Facts the token response told about the account (Slack team, Notion workspace). */
  grantAccount?: Record<string, unknown> | null;
}

/** Credential metadata as the API shows it. */
export interface CredentialSummary {
  readonly id: string;
  readonly type: string;
  readonly status: string;
  readonly expiresAt: string | null;
  readonly lastRefreshedAt: string | null;
  readonly refreshCount: number;
  readonly scopes: string[];
}

export interface ConnectionView {
  readonly id: string;
  readonly tenantId: string;
  readonly provider: string;
  readonly name: string;
  readonly status: ConnectionStatus;
  /** The API base URL in use (the provider's default when the connection names none). */
  readonly baseUrl: string;
  readonly authBaseUrl: string | null;
  readonly settings: Record<string, unknown>;
  readonly account: AccountInfo | null;
  /** Names of the discovered objects; null before the first discover. */
  readonly objects: string[] | null;
  readonly credential: CredentialSummary | null;
  readonly lastError: { code: string; message: string; at: string } | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export function profileOf(connection: Connection): ConnectionProfile {
  return connection.account as ConnectionProfile;
}

export function toView(connection: Connection, defaultBaseUrl: string, credential: CredentialSummary | null): ConnectionView {
  const profile = profileOf(connection);
  return {
    id: connection.id,
    tenantId: connection.tenantId,
    provider: connection.provider,
    name: connection.name,
    status: connection.status,
    baseUrl: connection.baseUrl ?? defaultBaseUrl,
    authBaseUrl: profile.authBaseUrl ?? null,
    settings: profile.settings ?? {},
    account: profile.account ?? null,
    objects: profile.objects?.map((object) => object.name) ?? null,
    credential,
    lastError: profile.lastError ?? null,
    createdAt: connection.createdAt,
    updatedAt: connection.updatedAt,
  };
}
