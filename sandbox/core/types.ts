/**
 * The contract between the sandbox's shared core (sandbox/core/) and each provider
 * simulator (sandbox/<provider>/). The core owns the HTTP server, time, tokens, rate
 * limits, faults, the request log, webhook delivery, generated people and the control
 * API; a simulator owns its provider's paths, shapes, errors and data.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ProviderName = 'salesforce' | 'notion' | 'slack' | 'github' | 'google' | 'teams';
export const PROVIDER_NAMES: readonly ProviderName[] = ['salesforce', 'notion', 'slack', 'github', 'google', 'teams'];

export interface SandboxOptions {
  /** Seed for every generated value: the same seed and size give the same data. */
  seed: number;
  /** Number of people in the generated company; each provider holds a share of them. */
  size: number;
  /** Multiplies every real rate limit (0.01 = a hundredth of the real budget). */
  rateLimitScale: number;
  /** Token lifetimes in seconds, per provider, overriding the provider's real ones. */
  tokenLifetimes: Partial<Record<ProviderName, { accessSeconds?: number; refreshSeconds?: number }>>;
  /**
   * The sandbox's own base URL once listening (`http://127.0.0.1:PORT`). The core updates
   * it in place on listen: read `ctx.options.baseUrl` when you need it, do not copy it at
   * register time.
   */
  baseUrl: string;
  /**
   * Multiplies every webhook retry delay (0.001 turns Slack's 1 min into 60 ms), so tests
   * see retries without waiting. Default 1.
   */
  webhookDelayScale?: number;
}

/** Controllable time: real time plus an offset that tests move forward. */
export interface SandboxClock {
  now(): number;
  advance(ms: number): void;
}

/** Deterministic pseudo-random numbers in [0, 1), derived from the sandbox seed and a label. */
export interface Rng {
  next(): number;
  int(minInclusive: number, maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
}

// ---------------------------------------------------------------------------
// OAuth and tokens

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface TokenGrant {
  provider: ProviderName;
  clientId: string;
  /** The provider account (Salesforce org, Slack team, GitHub user, Google user, Notion workspace). */
  account: string;
  scopes: string[];
  /** Anything the simulator wants to remember with the grant (installation id, bot user id, ...). */
  extra: Record<string, unknown>;
}

export interface IssuedTokens {
  accessToken: string;
  /** Absent where the provider issues none (Notion internal, GitHub installation, Slack without rotation). */
  refreshToken?: string;
  /** Seconds, absent where the token does not expire. */
  expiresIn?: number;
  refreshExpiresIn?: number;
  grant: TokenGrant;
}

export type TokenCheck =
  | { ok: true; grant: TokenGrant }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown' | 'expired' | 'revoked' };

export type RefreshResult =
  | { ok: true; tokens: IssuedTokens }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'reused' | 'client_mismatch' };

export interface IssueOptions {
  /** Prefix of the token strings, as the provider's own (`ghu_`, `xoxe.xoxp-`, `ya29.`, `00D…!`). */
  accessPrefix: string;
  refreshPrefix?: string;
  accessSeconds?: number;
  refreshSeconds?: number;
  /** With rotation, using a refresh token revokes it and the access token it came with. */
  rotateRefresh: boolean;
  /**
   * Inactivity timeout instead of a fixed lifetime: every successful `check` pushes the
   * access token's expiry `accessSeconds` further (Salesforce sessions).
   */
  slidingAccess?: boolean;
}

export interface TokenService {
  clients(provider: ProviderName): OAuthClient[];
  /** Authorization code with PKCE (S256 or plain), single use, 10 minutes. */
  createCode(input: { grant: TokenGrant; redirectUri: string; codeChallenge?: string; codeChallengeMethod?: string }): string;
  exchangeCode(
    provider: ProviderName,
    input: { code: string; clientId: string; clientSecret?: string; redirectUri?: string; codeVerifier?: string },
    options: IssueOptions,
  ): RefreshResult | { ok: false; reason: 'invalid_code' | 'pkce_failed' | 'redirect_mismatch' };
  issue(grant: TokenGrant, options: IssueOptions): IssuedTokens;
  /** Whether the client exists for this provider and, when a secret is given, whether it matches. */
  verifyClient(provider: ProviderName, clientId: string, clientSecret?: string): 'ok' | 'unknown_client' | 'bad_secret';
  check(provider: ProviderName, authorizationHeader: string | undefined): TokenCheck;
  refresh(provider: ProviderName, refreshToken: string, clientId: string, options: IssueOptions): RefreshResult;
  revoke(provider: ProviderName, token: string): boolean;
  /** Refresh calls per provider, for tests that count them. */
  refreshCount(provider: ProviderName): number;
}

// ---------------------------------------------------------------------------
// Rate limits

export interface LimitRule {
  /** Counter key, already scoped (`github:core:user-42`). */
  key: string;
  /** The provider's real limit; the core multiplies it by `rateLimitScale` (at least 1). */
  limit: number;
  windowMs: number;
  /** Cost of this call (GitHub secondary points: 1 for reads, 5 for writes). */
  cost?: number;
  /**
   * Rolling window (the calls of the last `windowMs`, Salesforce's 24 h) instead of a
   * fixed window that starts at the key's first call and resets `windowMs` later.
   */
  sliding?: boolean;
}

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  used: number;
  /** Epoch ms when the window frees room. */
  resetAt: number;
  retryAfterSeconds: number;
}

export interface RateLimits {
  /** Counts the call and answers whether it fits. Overrides set through the control API apply. */
  take(rule: LimitRule): LimitDecision;
  peek(rule: LimitRule): LimitDecision;
  /** Total 429 (or limit-403) answers simulators reported, per provider. */
  recordRejection(provider: ProviderName): void;
  rejections(provider?: ProviderName): number;
  /**
   * Sets (or clears, with null) an absolute limit for every rule whose key starts with
   * `keyPrefix`, replacing the scaled real limit: how a test makes a provider lower its
   * limit mid-run.
   */
  override(keyPrefix: string, limit: number | null): void;
}

// ---------------------------------------------------------------------------
// Webhook delivery

export interface DeliveryRequest {
  provider: ProviderName;
  url: string;
  headers: Record<string, string>;
  /** Raw body as sent (already serialised: signatures are over these bytes). */
  body: string;
  /**
   * Delays in ms before each retry after a failed attempt (non-2xx, timeout, refused).
   * Empty: no retry (GitHub). `retryHeaders(n, reason)` adds per-retry headers (Slack's
   * X-Slack-Retry-Num); `reason` is Slack's vocabulary: `http_timeout`, `connection_failed`
   * or `http_error`.
   */
  retryDelaysMs: number[];
  retryHeaders?: (retryNumber: number, reason: string) => Record<string, string>;
  /**
   * Decides an answered attempt: 'delivered', 'retry' (per `retryDelaysMs`) or 'give_up'
   * (Slack's `X-Slack-No-Retry: 1`). Default: 2xx delivered, anything else retry. Timeouts
   * and refused connections always retry. Salesforce outbound messages need `<Ack>true</Ack>`.
   */
  classify?: (response: { status: number; headers: Record<string, string>; body: string }) => 'delivered' | 'retry' | 'give_up';
  /** Recomputes headers per attempt where the signature covers a timestamp. */
  resign?: (attempt: number) => Record<string, string>;
  timeoutMs?: number;
}

export interface DeliveryRecord {
  id: string;
  provider: ProviderName;
  url: string;
  attempts: { at: number; status: number | null; error?: string }[];
  delivered: boolean;
}

export interface WebhookDispatcher {
  /** Delivers in the background; the returned record fills in as attempts happen. */
  deliver(request: DeliveryRequest): DeliveryRecord;
  deliveries(provider?: ProviderName): DeliveryRecord[];
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>;
}

// ---------------------------------------------------------------------------
// Generated people, shared across providers

/** One real person of the generated company: the ground truth. */
export interface Person {
  truthId: string;
  givenName: string;
  familyName: string;
  nickname: string | null;
  email: string;
  personalEmail: string | null;
  /** E.164. */
  phone: string | null;
  company: string;
  companyDomain: string;
  title: string;
  city: string;
  country: string;
  githubLogin: string;
}

/** A person as one provider holds them: the same human, with real data's variations. */
export interface PersonVariant {
  truthId: string;
  givenName: string;
  familyName: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  title: string | null;
  /** The company's web domain (the person's work email domain), for Accounts and orgs. */
  companyDomain?: string | null;
  city?: string | null;
  country?: string | null;
  githubLogin?: string | null;
}

export interface PeopleDirectory {
  all(): readonly Person[];
  /**
   * The people this provider holds (a deterministic share of everyone, at `coverage`),
   * each varied as data entered by different people in different systems is: nicknames,
   * typos, case, missing fields, other phone formats, an old email.
   */
  variantsFor(provider: ProviderName, coverage: number): PersonVariant[];
  /** The true person behind a truthId. */
  byTruthId(truthId: string): Person | undefined;
}

export interface GroundTruth {
  record(entry: { provider: ProviderName; object: string; externalId: string; truthId: string }): void;
  forget(provider: ProviderName, object: string, externalId: string): void;
  entries(): { provider: ProviderName; object: string; externalId: string; truthId: string }[];
}

// ---------------------------------------------------------------------------
// What a simulator gets and gives

export interface SandboxContext {
  options: SandboxOptions;
  clock: SandboxClock;
  rng(label: string): Rng;
  tokens: TokenService;
  limits: RateLimits;
  webhooks: WebhookDispatcher;
  people: PeopleDirectory;
  truth: GroundTruth;
}

/**
 * User-level edits the control API performs on a simulator's data, as a person using
 * the provider would: they move modstamps, cursors and sync tokens and fire webhooks.
 * `object` is the simulator's own object name (`Contact`, `issues`, `contacts`, ...).
 */
export interface RecordControl {
  // Methods may throw an error with a numeric `statusCode` (see `SandboxHttpError` in
  // ./errors.ts): the control API answers with that status; other errors answer 400.
  objects(): string[];
  list(object: string, options: { limit: number; offset: number }): { total: number; records: unknown[] };
  create(object: string, fields: Record<string, unknown>): unknown;
  update(object: string, id: string, fields: Record<string, unknown>): unknown;
  remove(object: string, id: string): boolean;
}

/** Each simulator is made by a factory (`createGithubSimulator()`), so every sandbox has its own state. */
export interface ProviderSimulator {
  name: ProviderName;
  /**
   * Registers the provider's own routes on `app`, which is already scoped to the
   * provider's prefix (`/github`), with the core's hooks (request log, faults) applied.
   */
  register(app: FastifyInstance, ctx: SandboxContext): Promise<void> | void;
  /**
   * Fills the simulator's data from `ctx.people` and `ctx.rng`, recording ground truth.
   * Called again by `POST /_sandbox/reset` (after the core cleared tokens, limits, truth
   * and regenerated people): it must REPLACE all of the simulator's data, not add to it.
   */
  seed(ctx: SandboxContext): void;
  control: RecordControl;
  /**
   * Mints a valid access token without the OAuth round trip (control API), for the
   * simulator's default account unless one is given.
   */
  mint(ctx: SandboxContext, input: { account?: string; scopes?: string[]; accessSeconds?: number }): IssuedTokens;
  /**
   * Optional extra control routes, mounted under `/_sandbox/<provider>/` (Slack's
   * event subscription URL, Notion's webhook subscription, Salesforce outbound messages).
   */
  registerControl?(app: FastifyInstance, ctx: SandboxContext): Promise<void> | void;
  /**
   * The provider's own answer for an injected status fault (500, 502, 503, 429, ...):
   * headers and JSON-serialisable (or string) body. Without it the core answers
   * `{"message":"Injected fault","status":N}`.
   */
  faultResponse?(status: number): { headers?: Record<string, string>; body: unknown };
}

export type { FastifyInstance, FastifyReply, FastifyRequest };
