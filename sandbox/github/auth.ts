/**
 * GitHub authentication: who a REST call is made by, and the token issuing rules.
 *
 * - OAuth App tokens (`gho_`): no expiry, no refresh token.
 * - GitHub App user tokens (`ghu_`, 8 h) with refresh tokens (`ghr_`, 6 months) that
 *   rotate: "once you use a refresh token, that refresh token and the old user access
 *   token will no longer work".
 * - GitHub App JWTs (RS256, `iss` = app id or client id, `exp` at most 10 minutes after
 *   `iat`) for `/app/...`, exchanged for installation tokens (`ghs_`, 1 h).
 *
 * Which of the first two the sandbox's OAuth client behaves as is a setting
 * (`oauthKind`, default `github_app`). Lifetimes follow `SandboxOptions.tokenLifetimes`.
 */
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { compactVerify } from 'jose';
import type { FastifyRequest } from 'fastify';
import type { IssueOptions, SandboxContext } from '../core/types.ts';
import type { GhInstallation, GhUser, GithubStore } from './data.ts';
import { GithubHttpError, badCredentials } from './errors.ts';
import { installationHourlyLimit } from './rate-limits.ts';
import type { LimitIdentity } from './rate-limits.ts';

export type OAuthKind = 'github_app' | 'oauth_app';

export type GithubPrincipal =
  | { kind: 'user'; user: GhUser; identity: LimitIdentity; scopes: string[] }
  | { kind: 'installation'; installation: GhInstallation; identity: LimitIdentity; repoIds: number[] | null }
  /** No Authorization header: public data only, 60 requests an hour per IP address. */
  | { kind: 'anonymous'; identity: LimitIdentity };

export const USER_TOKEN_SECONDS = 28_800;
export const REFRESH_TOKEN_SECONDS = 15_811_200;
export const INSTALLATION_TOKEN_SECONDS = 3_600;
const JWT_DOCS = 'https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app';

export function userTokenOptions(kind: OAuthKind): IssueOptions {
  return kind === 'github_app'
    ? { accessPrefix: 'ghu_', refreshPrefix: 'ghr_', accessSeconds: USER_TOKEN_SECONDS, refreshSeconds: REFRESH_TOKEN_SECONDS, rotateRefresh: true }
    : { accessPrefix: 'gho_', rotateRefresh: false };
}

export const INSTALLATION_TOKEN_OPTIONS: IssueOptions = { accessPrefix: 'ghs_', accessSeconds: INSTALLATION_TOKEN_SECONDS, rotateRefresh: false };

/** The sandbox's one GitHub App, with its signing key pair made on first use. */
export class SandboxGithubApp {
  readonly id = 1_024_311;
  readonly slug = 'tributary-sandbox';
  readonly name = 'Tributary Sandbox';
  private keys: { privatePkcs1: string; privatePkcs8: string; publicKey: KeyObject; publicPem: string } | null = null;

  keyPair(): { privatePkcs1: string; privatePkcs8: string; publicKey: KeyObject; publicPem: string } {
    if (this.keys === null) {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys = {
        privatePkcs1: pair.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
        privatePkcs8: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        publicKey: createPublicKey(pair.privateKey),
        publicPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      };
    }
    return this.keys;
  }
}

/** The token in an `Authorization: Bearer|token <t>` header, or null. */
export function headerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header);
  return match ? (match[1] as string) : null;
}

function looksLikeJwt(token: string): boolean {
  return /^eyJ[\w-]*\.[\w-]+\.[\w-]+$/.test(token);
}

export class GithubAuth {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: GithubStore,
    readonly app: SandboxGithubApp,
  ) {}

  /**
   * The principal behind a REST call; throws GitHub's 401 answers. A call without an
   * Authorization header is anonymous (reads of public data, 60 an hour per IP); a bad
   * token is refused even where anonymous access would do.
   */
  authenticate(request: FastifyRequest): GithubPrincipal {
    const header = request.headers.authorization;
    if (header === undefined) return { kind: 'anonymous', identity: { key: `ip:${request.ip}`, kind: 'ip', id: 0, hourlyLimit: 60, ip: request.ip } };
    const token = headerToken(request);
    if (token === null) throw badCredentials();
    const check = this.ctx.tokens.check('github', `Bearer ${token}`);
    if (!check.ok) throw badCredentials();
    const grant = check.grant;
    if (grant.extra.kind === 'installation') {
      const installation = this.store.installations.get(Number(grant.extra.installationId));
      if (!installation) throw badCredentials();
      return {
        kind: 'installation',
        installation,
        identity: this.installationIdentity(installation),
        repoIds: Array.isArray(grant.extra.repoIds) ? (grant.extra.repoIds as number[]) : null,
      };
    }
    const user = this.store.userByLogin(grant.account);
    if (!user) throw badCredentials();
    return { kind: 'user', user, identity: { key: `user:${user.id}`, kind: 'user', id: user.id, hourlyLimit: 5_000 }, scopes: grant.scopes };
  }

  installationIdentity(installation: GhInstallation): LimitIdentity {
    const org = this.store.orgs.get(installation.orgId);
    const repoCount = [...this.store.repos.values()].filter((repo) => !repo.deleted && repo.ownerType === 'Organization' && repo.ownerId === installation.orgId).length;
    return {
      key: `installation:${installation.id}`,
      kind: 'installation',
      id: installation.id,
      hourlyLimit: installationHourlyLimit(repoCount, org?.memberIds.length ?? 0),
    };
  }

  /**
   * Checks a GitHub App JWT (`Authorization: Bearer <jwt>`) as GitHub does: RS256 signed
   * by the app's key, integer `iat` and `exp`, not expired, `exp` no more than 10 minutes
   * ahead, `iss` the app id or client id. Throws GitHub's 401 answers.
   */
  async authenticateApp(request: FastifyRequest): Promise<void> {
    const token = headerToken(request);
    if (token === null) throw new GithubHttpError(401, 'A JSON web token could not be decoded', JWT_DOCS);
    if (!looksLikeJwt(token)) throw new GithubHttpError(401, 'A JSON web token could not be decoded', JWT_DOCS);
    let payload: Record<string, unknown>;
    try {
      const verified = await compactVerify(token, this.app.keyPair().publicKey, { algorithms: ['RS256'] });
      payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>;
    } catch {
      throw new GithubHttpError(401, 'A JSON web token could not be decoded', JWT_DOCS);
    }
    const now = Math.floor(this.ctx.clock.now() / 1000);
    const { iat, exp, iss } = payload;
    if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > now + 60) {
      throw new GithubHttpError(401, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued", JWT_DOCS);
    }
    if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= now) {
      throw new GithubHttpError(401, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires", JWT_DOCS);
    }
    if (exp - iat > 600 || exp > now + 600) {
      throw new GithubHttpError(401, "'Expiration time' claim ('exp') is too far in the future", JWT_DOCS);
    }
    const clientIds = this.ctx.tokens.clients('github').map((client) => client.clientId);
    if (String(iss) !== String(this.app.id) && !clientIds.includes(String(iss))) {
      throw new GithubHttpError(401, "'Issuer' claim ('iss') must be an Integer", JWT_DOCS);
    }
  }

  /** Issues a `ghs_` installation token, optionally narrowed to some repositories. */
  issueInstallationToken(installation: GhInstallation, repoIds: number[] | null, accessSeconds?: number) {
    const options: IssueOptions = { ...INSTALLATION_TOKEN_OPTIONS };
    if (accessSeconds !== undefined) options.accessSeconds = accessSeconds;
    const org = this.store.orgs.get(installation.orgId);
    return this.ctx.tokens.issue(
      { provider: 'github', clientId: this.defaultClientId(), account: `installation:${installation.id}`, scopes: [], extra: { kind: 'installation', installationId: installation.id, repoIds, org: org?.login ?? null } },
      options,
    );
  }

  defaultClientId(): string {
    return this.ctx.tokens.clients('github')[0]?.clientId ?? 'sandbox-github-client';
  }
}
