/**
 * How every GitHub REST route answers: authentication, the secondary and primary rate
 * limits, `ETag` on every GET with `If-None-Match` -> 304 (and `If-Modified-Since` where
 * a resource has `Last-Modified`), a 304 not spending the primary budget; page-number
 * pagination with a `Link` header; errors thrown as `GithubHttpError`. Route modules
 * declare handlers through `apiGet` / `apiWrite`.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxContext } from '../core/types.ts';
import type { GithubAuth, GithubPrincipal } from './auth.ts';
import type { GithubStore } from './data.ts';
import { GithubHttpError, requiresAuthentication } from './errors.ts';
import type { GithubRateLimiter } from './rate-limits.ts';
import type { Urls } from './representations.ts';
import type { GithubWebhooks } from './webhooks.ts';

/** What route modules get. */
export interface GithubDeps {
  ctx: SandboxContext;
  store: GithubStore;
  auth: GithubAuth;
  limiter: GithubRateLimiter;
  webhooks: GithubWebhooks;
  urls(): Urls;
}

export interface GetResult {
  body: unknown;
  link?: string | null;
  lastModified?: number | null;
}

export interface WriteResult {
  status: number;
  body: unknown;
}

type Params = Record<string, string>;

/**
 * A GET route. Failing calls (404, 422) spend the primary budget as GitHub's do; a 304
 * answer does not.
 */
export function apiGet(
  app: FastifyInstance,
  deps: GithubDeps,
  path: string,
  handler: (request: FastifyRequest, principal: GithubPrincipal, params: Params) => GetResult,
): void {
  app.get(path, async (request, reply) => {
    const principal = deps.auth.authenticate(request);
    deps.limiter.enter(principal.identity, request, `GET ${path}`, false);
    let result: GetResult;
    try {
      result = handler(request, principal, request.params as Params);
    } catch (error) {
      deps.limiter.takePrimary(principal.identity, reply);
      throw error;
    }
    const json = JSON.stringify(result.body);
    const etag = `W/"${createHash('sha256').update(json).update(principal.identity.key).digest('hex').slice(0, 32)}"`;
    reply.header('etag', etag);
    reply.header('cache-control', 'private, max-age=60, s-maxage=60');
    reply.header('vary', 'Accept, Authorization, Cookie, X-GitHub-OTP');
    if (result.lastModified) reply.header('last-modified', new Date(result.lastModified).toUTCString());
    if (result.link) reply.header('link', result.link);
    scopeHeaders(reply, principal);
    if (etagMatches(request.headers['if-none-match'], etag) || notModifiedSince(request.headers['if-modified-since'], result.lastModified)) {
      deps.limiter.showPrimary(principal.identity, reply);
      return reply.code(304).send();
    }
    deps.limiter.takePrimary(principal.identity, reply);
    return reply.code(200).type('application/json; charset=utf-8').send(json);
  });
}

/** A POST/PATCH/DELETE route: the call spends the primary budget before it acts. */
export function apiWrite(
  app: FastifyInstance,
  deps: GithubDeps,
  method: 'POST' | 'PATCH' | 'DELETE' | 'PUT',
  path: string,
  options: { createsContent: boolean },
  handler: (request: FastifyRequest, principal: GithubPrincipal, params: Params) => WriteResult,
): void {
  app.route({
    method,
    url: path,
    handler: async (request, reply) => {
      const principal = deps.auth.authenticate(request);
      if (principal.kind === 'anonymous') throw requiresAuthentication();
      deps.limiter.enter(principal.identity, request, `${method} ${path}`, options.createsContent);
      deps.limiter.takePrimary(principal.identity, reply);
      scopeHeaders(reply, principal);
      const result = handler(request, principal, request.params as Params);
      if (result.status === 204) return reply.code(204).send();
      return reply.code(result.status).type('application/json; charset=utf-8').send(JSON.stringify(result.body));
    },
  });
}

function scopeHeaders(reply: FastifyReply, principal: GithubPrincipal): void {
  if (principal.kind === 'user') {
    reply.header('x-oauth-scopes', principal.scopes.join(', '));
    reply.header('x-accepted-oauth-scopes', '');
  }
}

/** `If-Modified-Since` answered from the resource's `updated_at` (second precision, as HTTP dates are). */
function notModifiedSince(header: string | undefined, lastModified: number | null | undefined): boolean {
  if (!header || !lastModified) return false;
  const since = Date.parse(header);
  return !Number.isNaN(since) && Math.floor(lastModified / 1000) <= Math.floor(since / 1000);
}

function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  const wanted = strip(etag);
  return String(header)
    .split(',')
    .some((tag) => tag.trim() === '*' || strip(tag) === wanted);
}

/** `per_page` (default 30, at most 100) and `page` (from 1) of a list request. */
export function pageParams(query: Record<string, string | undefined>): { perPage: number; page: number } {
  const perPageRaw = Number.parseInt(query.per_page ?? '', 10);
  const pageRaw = Number.parseInt(query.page ?? '', 10);
  const perPage = Number.isFinite(perPageRaw) && perPageRaw > 0 ? Math.min(100, perPageRaw) : 30;
  const page = Number.isFinite(pageRaw) && pageRaw > 0 ? pageRaw : 1;
  return { perPage, page };
}

/**
 * One page of `items` and GitHub's `Link` header: `next` and `last` unless on the last
 * page, `prev` and `first` unless on the first, each the request's own URL with `page`
 * replaced.
 */
export function paginate<T>(request: FastifyRequest, baseUrl: string, items: readonly T[]): { page: T[]; link: string | null } {
  const query = request.query as Record<string, string | undefined>;
  const { perPage, page } = pageParams(query);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const url = new URL(request.url, baseUrl);
  const at = (n: number): string => {
    url.searchParams.set('page', String(n));
    return url.toString();
  };
  const links: string[] = [];
  if (page < lastPage) links.push(`<${at(page + 1)}>; rel="next"`, `<${at(lastPage)}>; rel="last"`);
  if (page > 1) links.push(`<${at(Math.min(page - 1, lastPage))}>; rel="prev"`, `<${at(1)}>; rel="first"`);
  return { page: slice, link: links.length > 0 ? links.join(', ') : null };
}

/** `direction`: asc or desc, else the endpoint's default. */
export function direction(query: Record<string, string | undefined>, fallback: 'asc' | 'desc'): 'asc' | 'desc' {
  return query.direction === 'asc' || query.direction === 'desc' ? query.direction : fallback;
}

/** Parses `since` (ISO 8601); throws 422 as GitHub does for a malformed timestamp. */
export function sinceParam(query: Record<string, string | undefined>): number | null {
  if (query.since === undefined || query.since === '') return null;
  const ms = Date.parse(query.since);
  if (Number.isNaN(ms)) {
    throw new GithubHttpError(422, 'Invalid request.\n\nInvalid property /since: `' + query.since + '` is not a valid date-time.', 'https://docs.github.com/rest');
  }
  return ms;
}

/** The JSON body of a write, or GitHub's 400 "Problems parsing JSON". */
export function jsonBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  if (body === undefined || body === null || body === '') return {};
  if (body instanceof InvalidJson || typeof body !== 'object' || Array.isArray(body)) {
    throw new GithubHttpError(400, 'Problems parsing JSON', 'https://docs.github.com/rest');
  }
  return body as Record<string, unknown>;
}

/** The body a request had when its JSON did not parse (see index.ts's content parser). */
export class InvalidJson {
  constructor(readonly raw: string) {}
}
