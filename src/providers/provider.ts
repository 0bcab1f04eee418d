/**
 * The Provider interface (the reference's BaseIntegrationAdapter): what every provider
 * folder implements, and all the sync engine, the connection service and the webhook
 * intake know about a provider.
 *
 * A provider is a typed definition plus functions over a narrow context (STYLE.md 13,
 * 14): it receives an HTTP client that already carries the credential, the rate limiter,
 * retries and the egress policy, and it never imports a store, the queue or another
 * provider. Loops that are the same for everyone (paging through `readPage`, checkpoints,
 * retries, batching) live once in the engine, not here.
 */
import type { TributaryError } from '../domain/errors.ts';

export type ProviderId = 'salesforce' | 'notion' | 'slack' | 'github' | 'google';
export const PROVIDER_IDS: readonly ProviderId[] = ['salesforce', 'notion', 'slack', 'github', 'google'];

/** The nine credential types a connection can hold. */
export type CredentialType =
  | 'oauth2_authorization_code'
  | 'oauth2_client_credentials'
  | 'jwt_bearer'
  | 'github_app_installation'
  | 'api_key'
  | 'bearer_token'
  | 'basic'
  | 'webhook_signing_secret'
  | 'client_certificate';

export interface OAuthSpec {
  /** Absolute URLs of the real provider; the connection's `authBaseUrl` replaces the origin. */
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  defaultScopes: string[];
  scopeSeparator: ' ' | ',';
  pkce: boolean;
  /** How the client authenticates at the token endpoint. */
  clientAuth: 'body' | 'basic';
  /** Does a refresh return a new refresh token and invalidate the old one? */
  rotatesRefreshTokens: boolean;
  /** Extra authorize parameters (Google's access_type=offline, Notion's owner=user). */
  extraAuthorizeParams?: Record<string, string>;
}

export interface AuthSpec {
  credentialTypes: CredentialType[];
  oauth?: OAuthSpec;
}

export type DeletionDetection =
  /** Deleted records arrive in the change feed (Google `deleted`, Calendar `cancelled`). */
  | 'tombstones'
  /** A separate deleted-records call covering a window (Salesforce getDeleted, 15 days). */
  | 'window'
  /** Only webhooks report deletions (GitHub issues, Slack messages, Notion pages). */
  | 'webhook'
  | 'none';

export interface ObjectCapabilities {
  incremental: boolean;
  deletions: DeletionDetection;
  create: boolean;
  update: boolean;
  delete: boolean;
  /** The provider has batch write endpoints for this object. */
  batch: boolean;
  webhooks: boolean;
  /** Optimistic concurrency the provider offers on update. */
  precondition: 'etag' | 'if_unmodified_since' | 'none';
}

export interface FieldSchema {
  name: string;
  label?: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'datetime' | 'email' | 'phone' | 'url' | 'enum' | 'reference' | 'json' | 'array';
  required?: boolean;
  readOnly?: boolean;
  enumValues?: string[];
  /** For references: the object referred to. */
  references?: string;
  custom?: boolean;
}

export interface ObjectSchema {
  name: string;
  label: string;
  fields: FieldSchema[];
  capabilities: ObjectCapabilities;
}

/** A record as the provider holds it. `data` is the provider's own JSON, unchanged. */
export interface ExternalRecord {
  id: string;
  /** The provider's version: etag, SystemModstamp, updated_at. Used for preconditions and echo detection. */
  version: string | null;
  modifiedAt: string | null;
  data: Record<string, unknown>;
}

export interface ExternalDeletion {
  id: string;
  deletedAt: string | null;
}

/**
 * A checkpoint: opaque JSON the provider understands. It must be enough to resume after a
 * crash from the page that follows (mid-run: the page token plus the watermark the run
 * started from; at the end: the watermark or sync token for the next run).
 */
export type Cursor = Record<string, unknown>;

export interface ChangePage {
  records: ExternalRecord[];
  deletions: ExternalDeletion[];
  /** Commit this with the page's writes; the next `readPage` call continues from it. */
  cursor: Cursor;
  /** True when this page ends the run (the cursor is then the start of the next run). */
  done: boolean;
  /** When the provider tells: total records in this run, for progress estimates. */
  total?: number;
}

/** What a read is told about its caller. */
export interface ReadOptions {
  /** Records per page, where the API lets the caller choose. */
  pageSize?: number;
  /**
   * The paths into a record that the caller's mapping reads (`Email`, `Account.Name`).
   * An API that sends some values only when they are asked for (Salesforce's relationship
   * fields) is asked for these too. They never narrow what a record carries.
   */
  paths?: readonly string[];
}

/** Thrown (as a TributaryError with this code in `details.reason`) when a cursor expired and a full resync is needed. */
export const CURSOR_EXPIRED = 'cursor_expired';

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** A path under the connection's base URL, or an absolute URL the provider returned (next links). */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON-encoded unless `form` is set. */
  body?: unknown;
  form?: Record<string, string>;
  /** For the rate limiter: which budget the call spends. */
  operation: 'read' | 'write' | 'search';
  /**
   * Which of the provider's APIs the call is for, when they live on different hosts
   * (Google's `people`): with the provider's default base URL the path resolves against
   * `Provider.apiBases[api]`; with any other base URL (sandbox, custom) against that base.
   */
  api?: string;
  /** Slack method tier, GitHub resource, ...: finer than `operation` where the provider counts so. */
  bucket?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response is JSON, else the text. */
  body: unknown;
}

/**
 * The HTTP client a provider receives: authenticated with the connection's credential
 * (refreshed before expiry and once on a 401), paced by the rate limiter, retried on
 * transient failures, restricted by the egress policy. It returns every response the
 * provider's `classifyError` does not turn into an error.
 */
export interface ProviderHttp {
  request(request: HttpRequest): Promise<HttpResponse>;
}

export interface ConnectionInfo {
  id: string;
  tenantId: string;
  baseUrl: string;
  /** How the connection authenticates; some calls differ (GitHub installation tokens cannot call `/user`). */
  credentialType?: CredentialType;
  /** Provider-specific settings: Notion database ids, GitHub owner/repos, Google calendar id... */
  settings: Record<string, unknown>;
}

export interface ProviderContext {
  http: ProviderHttp;
  connection: ConnectionInfo;
  signal?: AbortSignal;
  /** Epoch ms, from the injected Clock (windows such as Salesforce getDeleted end "now"). */
  now?(): number;
}

export interface AccountInfo {
  /** The provider account id (org id, team id, user id, workspace id). */
  accountId: string;
  name: string;
  details: Record<string, unknown>;
}

export interface WriteOptions {
  /** The version the caller last saw; the provider's precondition where it has one. */
  expectedVersion?: string | null;
}

export interface ObjectDefinition {
  name: string;
  label: string;
  capabilities: ObjectCapabilities;
  /** One page of changes since `cursor` (null: a full sync). */
  readPage(ctx: ProviderContext, cursor: Cursor | null, options: ReadOptions): Promise<ChangePage>;
  fetchOne(ctx: ProviderContext, id: string, options?: Pick<ReadOptions, 'paths'>): Promise<ExternalRecord | null>;
  create?(ctx: ProviderContext, data: Record<string, unknown>): Promise<ExternalRecord>;
  update?(ctx: ProviderContext, id: string, patch: Record<string, unknown>, options?: WriteOptions): Promise<ExternalRecord>;
  delete?(ctx: ProviderContext, id: string, options?: WriteOptions): Promise<void>;
  /** Batched writes where the provider has batch endpoints. */
  createMany?(ctx: ProviderContext, items: Record<string, unknown>[]): Promise<ExternalRecord[]>;
}

export interface Provider {
  id: ProviderId;
  label: string;
  /** Real default base URLs; a connection may override them (instance URL, GHES, sandbox). */
  defaultBaseUrl: string;
  defaultAuthBaseUrl: string;
  /**
   * Real absolute base URLs of APIs that live on another host than `defaultBaseUrl`, by
   * the name requests give in `HttpRequest.api` (Google: `people` ->
   * `https://people.googleapis.com/`). Used only while a connection uses the default base URL.
   */
  apiBases?: Record<string, string>;
  auth: AuthSpec;
  objects: ObjectDefinition[];
  /** Objects not in the static list, by name (any Salesforce sObject). */
  objectFor?(name: string): ObjectDefinition | undefined;
  /** Who am I: the account the credential belongs to. Throws PROVIDER_AUTH_FAILED if refused. */
  validate(ctx: ProviderContext): Promise<AccountInfo>;
  /** Object schemas, including custom fields (Salesforce describe, Notion database properties). */
  discover(ctx: ProviderContext): Promise<ObjectSchema[]>;
  /** A cheap call that tells whether the provider answers for this connection. */
  health(ctx: ProviderContext): Promise<{ ok: boolean; detail?: string }>;
  /** Turn a provider response into the error it means, or null when it is a success. */
  classifyError(response: HttpResponse, request: HttpRequest): TributaryError | null;
  /**
   * How the access token is presented (Bearer header by default; Notion adds
   * Notion-Version). Rate-limit headers are read by src/ratelimit's parsers, one per
   * provider, so that the limiter owns everything about budgets.
   */
  authHeaders?(accessToken: string): Record<string, string>;
}
