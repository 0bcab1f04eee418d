/**
 * Slack tokens: who a Web API call is made by, and the issuing rules. Tokens come as
 * `Authorization: Bearer <token>` or, for form and query arguments, a `token` field (a
 * JSON body's `token` is ignored: Slack requires the header with JSON). Failures are
 * Slack's: `not_authed` (none), `invalid_auth` (unknown or malformed), `token_expired`,
 * `token_revoked`.
 *
 * With token rotation on (the default here), access tokens are `xoxe.xoxb-` / `xoxe.xoxp-`
 * and last 12 hours, with `xoxe-` refresh tokens that are revoked once used (the old access
 * token lives on until it expires; see SlackTokens.rotate in oauth.ts); without it,
 * `xoxb-` / `xoxp-` tokens never expire and no refresh token is issued.
 */
import type { FastifyRequest } from 'fastify';
import type { IssueOptions, SandboxContext, TokenGrant } from '../core/types.ts';
import type { SlackStore } from './data.ts';
import { SlackApiError } from './errors.ts';

export type SlackTokenKind = 'bot' | 'user';

export interface SlackPrincipal {
  token: string;
  kind: SlackTokenKind;
  /** The bot user (bot tokens) or the authorizing user (user tokens). */
  userId: string;
  scopes: string[];
  clientId: string;
  grant: TokenGrant;
}

export const ROTATING_ACCESS_SECONDS = 43_200;

export const BOT_SCOPES = ['channels:read', 'groups:read', 'channels:history', 'groups:history', 'users:read', 'users:read.email', 'team:read', 'chat:write', 'chat:write.public'];
export const USER_SCOPES = ['channels:read', 'groups:read', 'channels:history', 'groups:history', 'users:read', 'users:read.email', 'team:read', 'chat:write'];

export function issueOptions(kind: SlackTokenKind, rotation: boolean, numericPrefix: string): IssueOptions {
  const letter = kind === 'bot' ? 'b' : 'p';
  return rotation
    ? { accessPrefix: `xoxe.xox${letter}-1-`, refreshPrefix: 'xoxe-1-', accessSeconds: ROTATING_ACCESS_SECONDS, rotateRefresh: true }
    : { accessPrefix: `xox${letter}-${numericPrefix}-`, rotateRefresh: false };
}

/** The token of a call and where it came from. */
export function callToken(request: FastifyRequest, args: Record<string, unknown>, jsonBody: boolean): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header.trim() !== '') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? (match[1] as string) : '';
  }
  if (!jsonBody && typeof args.token === 'string' && args.token !== '') return args.token;
  const query = request.query as Record<string, unknown>;
  return typeof query.token === 'string' && query.token !== '' ? query.token : null;
}

export function authenticate(ctx: SandboxContext, store: SlackStore, token: string | null): SlackPrincipal {
  if (token === null) throw new SlackApiError('not_authed');
  const check = ctx.tokens.check('slack', `Bearer ${token}`);
  if (!check.ok) {
    const code = check.reason === 'expired' ? 'token_expired' : check.reason === 'revoked' ? 'token_revoked' : check.reason === 'missing' ? 'not_authed' : 'invalid_auth';
    throw new SlackApiError(code);
  }
  const grant = check.grant;
  const kind: SlackTokenKind = grant.extra.kind === 'user' ? 'user' : 'bot';
  const userId = kind === 'bot' ? store.app.botUserId : String(grant.extra.userId ?? '');
  if (kind === 'user' && store.users.get(userId)?.deleted) throw new SlackApiError('account_inactive');
  return { token, kind, userId, scopes: grant.scopes, clientId: grant.clientId, grant };
}

/** Passes when the principal holds any one of `anyOf`; else Slack's `missing_scope`. */
export function requireScope(principal: SlackPrincipal, anyOf: string[]): void {
  if (anyOf.length === 0 || anyOf.some((scope) => principal.scopes.includes(scope))) return;
  throw new SlackApiError('missing_scope', { needed: anyOf.join(','), provided: principal.scopes.join(',') });
}
