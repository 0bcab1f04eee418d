import { createHash, randomBytes } from 'node:crypto';
import type {
  IssueOptions,
  IssuedTokens,
  OAuthClient,
  ProviderName,
  RefreshResult,
  SandboxClock,
  SandboxOptions,
  TokenCheck,
  TokenGrant,
  TokenService,
} from './types.ts';
import { PROVIDER_NAMES } from './types.ts';

const CODE_TTL_MS = 10 * 60 * 1000;

interface CodeEntry {
  provider: ProviderName;
  grant: TokenGrant;
  redirectUri: string;
  challenge?: string;
  method: 'S256' | 'plain';
  expiresAt: number;
  used: boolean;
}

interface AccessEntry {
  provider: ProviderName;
  grant: TokenGrant;
  expiresAt: number | null;
  slidingMs: number | null;
  revoked: boolean;
}

interface RefreshEntry {
  provider: ProviderName;
  grant: TokenGrant;
  expiresAt: number | null;
  /** The access token issued with this refresh token (revoked with it on rotation). */
  accessToken: string;
  state: 'live' | 'rotated' | 'revoked';
}

/** The core token service plus what only the core itself calls. */
export interface SandboxTokenService extends TokenService {
  /** Moves an access token's expiry (`POST /_sandbox/tokens {accessSeconds}`). */
  setAccessExpiry(accessToken: string, seconds: number | null): void;
  /** Forgets every code and token and every refresh count (`POST /_sandbox/reset`). */
  reset(): void;
}

/** The default OAuth client of a provider: `sandbox-<provider>-client` / `sandbox-<provider>-secret`. */
export function defaultClient(provider: ProviderName): OAuthClient {
  return { clientId: `sandbox-${provider}-client`, clientSecret: `sandbox-${provider}-secret` };
}

/**
 * Authorization codes, access and refresh tokens for every provider, in memory.
 * Token strings are random (node:crypto), not seeded: a token must never be guessable
 * nor collide with one issued before a reset. Lifetimes: `options.tokenLifetimes[provider]`
 * overrides the simulator's `IssueOptions` (the provider's real lifetimes).
 */
export function createTokenService(clock: SandboxClock, options: Pick<SandboxOptions, 'tokenLifetimes'>): SandboxTokenService {
  const codes = new Map<string, CodeEntry>();
  const access = new Map<string, AccessEntry>();
  const refresh = new Map<string, RefreshEntry>();
  const refreshCounts = new Map<ProviderName, number>();
  const clientsByProvider = new Map<ProviderName, OAuthClient[]>(PROVIDER_NAMES.map((p) => [p, [defaultClient(p)]]));

  const lifetimes = (provider: ProviderName, issue: IssueOptions) => {
    const o = options.tokenLifetimes[provider];
    return {
      accessSeconds: o?.accessSeconds ?? issue.accessSeconds,
      refreshSeconds: o?.refreshSeconds ?? issue.refreshSeconds,
    };
  };

  const issue = (grant: TokenGrant, issueOptions: IssueOptions): IssuedTokens => {
    const now = clock.now();
    const { accessSeconds, refreshSeconds } = lifetimes(grant.provider, issueOptions);
    const accessToken = issueOptions.accessPrefix + token(32);
    access.set(accessToken, {
      provider: grant.provider,
      grant,
      expiresAt: accessSeconds === undefined ? null : now + accessSeconds * 1000,
      slidingMs: issueOptions.slidingAccess && accessSeconds !== undefined ? accessSeconds * 1000 : null,
      revoked: false,
    });
    const out: IssuedTokens = { accessToken, grant };
    if (accessSeconds !== undefined) out.expiresIn = accessSeconds;
    if (issueOptions.refreshPrefix !== undefined) {
      const refreshToken = issueOptions.refreshPrefix + token(40);
      refresh.set(refreshToken, {
        provider: grant.provider,
        grant,
        expiresAt: refreshSeconds === undefined ? null : now + refreshSeconds * 1000,
        accessToken,
        state: 'live',
      });
      out.refreshToken = refreshToken;
      if (refreshSeconds !== undefined) out.refreshExpiresIn = refreshSeconds;
    }
    return out;
  };

  const service: SandboxTokenService = {
    clients: (provider) => clientsByProvider.get(provider) ?? [],

    verifyClient(provider, clientId, clientSecret) {
      const client = service.clients(provider).find((c) => c.clientId === clientId);
      if (!client) return 'unknown_client';
      if (clientSecret !== undefined && !safeEqual(clientSecret, client.clientSecret)) return 'bad_secret';
      return 'ok';
    },

    createCode({ grant, redirectUri, codeChallenge, codeChallengeMethod }) {
      const code = token(24);
      const entry: CodeEntry = {
        provider: grant.provider,
        grant,
        redirectUri,
        method: codeChallengeMethod === 'S256' ? 'S256' : 'plain',
        expiresAt: clock.now() + CODE_TTL_MS,
        used: false,
      };
      if (codeChallenge) entry.challenge = codeChallenge;
      codes.set(code, entry);
      return code;
    },

    exchangeCode(provider, input, issueOptions) {
      const entry = codes.get(input.code);
      if (!entry || entry.provider !== provider || entry.used || entry.expiresAt <= clock.now()) {
        return { ok: false, reason: 'invalid_code' };
      }
      entry.used = true; // single use, even when this attempt fails
      if (entry.grant.clientId !== input.clientId) return { ok: false, reason: 'client_mismatch' };
      if (input.clientSecret !== undefined && service.verifyClient(provider, input.clientId, input.clientSecret) !== 'ok') {
        return { ok: false, reason: 'client_mismatch' };
      }
      if (entry.redirectUri && input.redirectUri !== undefined && input.redirectUri !== entry.redirectUri) {
        return { ok: false, reason: 'redirect_mismatch' };
      }
      if (entry.challenge !== undefined) {
        if (!input.codeVerifier) return { ok: false, reason: 'pkce_failed' };
        const computed = entry.method === 'S256' ? createHash('sha256').update(input.codeVerifier).digest('base64url') : input.codeVerifier;
        if (!safeEqual(computed, entry.challenge)) return { ok: false, reason: 'pkce_failed' };
      }
      return { ok: true, tokens: issue(entry.grant, issueOptions) };
    },

    issue,

    check(provider, header) {
      if (header === undefined || header.trim() === '') return { ok: false, reason: 'missing' };
      const match = /^(?:Bearer|OAuth|token)\s+(\S+)\s*$/i.exec(header);
      if (!match) return { ok: false, reason: 'malformed' };
      return checkToken(provider, match[1] as string);
    },

    refresh(provider, refreshToken, clientId, issueOptions) {
      const entry = refresh.get(refreshToken);
      if (!entry || entry.provider !== provider) return { ok: false, reason: 'unknown' };
      if (entry.state === 'rotated') return { ok: false, reason: 'reused' };
      if (entry.state === 'revoked') return { ok: false, reason: 'revoked' };
      if (entry.expiresAt !== null && entry.expiresAt <= clock.now()) return { ok: false, reason: 'expired' };
      if (entry.grant.clientId !== clientId) return { ok: false, reason: 'client_mismatch' };
      refreshCounts.set(provider, (refreshCounts.get(provider) ?? 0) + 1);
      if (issueOptions.rotateRefresh) {
        entry.state = 'rotated';
        const old = access.get(entry.accessToken);
        if (old) old.revoked = true;
        return { ok: true, tokens: issue(entry.grant, issueOptions) };
      }
      // Without rotation the refresh token stays and keeps its own expiry.
      const { refreshPrefix: _ignored, ...accessOnly } = issueOptions;
      const tokens = issue(entry.grant, accessOnly);
      entry.accessToken = tokens.accessToken;
      tokens.refreshToken = refreshToken;
      if (entry.expiresAt !== null) tokens.refreshExpiresIn = Math.max(0, Math.floor((entry.expiresAt - clock.now()) / 1000));
      return { ok: true, tokens } satisfies RefreshResult;
    },

    revoke(provider, tokenString) {
      const a = access.get(tokenString);
      if (a && a.provider === provider) {
        a.revoked = true;
        return true;
      }
      const r = refresh.get(tokenString);
      if (r && r.provider === provider) {
        r.state = 'revoked';
        const linked = access.get(r.accessToken);
        if (linked) linked.revoked = true;
        return true;
      }
      return false;
    },

    refreshCount: (provider) => refreshCounts.get(provider) ?? 0,

    setAccessExpiry(accessToken, seconds) {
      const a = access.get(accessToken);
      if (!a) return;
      a.expiresAt = seconds === null ? null : clock.now() + seconds * 1000;
      if (a.slidingMs !== null && seconds !== null) a.slidingMs = seconds * 1000;
    },

    reset() {
      codes.clear();
      access.clear();
      refresh.clear();
      refreshCounts.clear();
    },
  };

  function checkToken(provider: ProviderName, accessToken: string): TokenCheck {
    const entry = access.get(accessToken);
    if (!entry || entry.provider !== provider) return { ok: false, reason: 'unknown' };
    if (entry.revoked) return { ok: false, reason: 'revoked' };
    const now = clock.now();
    if (entry.expiresAt !== null && entry.expiresAt <= now) return { ok: false, reason: 'expired' };
    if (entry.slidingMs !== null) entry.expiresAt = now + entry.slidingMs;
    return { ok: true, grant: entry.grant };
  }

  return service;
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
