/**
 * Helpers over ProviderHttp for GitHub's REST API: the connection's settings, `Link`
 * header paging, repository listing for the connection's owner, and how our record ids
 * are made (`owner/repo`, `owner/repo#number`, `owner/repo/comments/id`: the REST paths
 * need the repository, so the id carries it).
 *
 * Paths are relative (no leading slash) so that a GHES base URL (`…/api/v3`) or the
 * sandbox's `…/github` prefix is kept; `Link` URLs are absolute and followed as given.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ExternalRecord, HttpResponse, ProviderContext } from '../provider.ts';

/** What a GitHub connection's `settings` may hold. */
export interface GithubSettings {
  /** Sync this organisation's repositories (`GET /orgs/{org}/repos`) rather than the user's. */
  org?: string;
  /** `owner/name` of the repositories whose issues and comments are synced; default: every listed repository. */
  repositories?: string[];
  /** Set on installation-token connections: repositories come from `GET /installation/repositories`. */
  installationId?: number | string;
  /** Keep pull requests among issues (default true; they carry a `pull_request` key). */
  includePullRequests?: boolean;
}

export function settingsOf(ctx: ProviderContext): GithubSettings {
  const s = ctx.connection.settings;
  const out: GithubSettings = {};
  if (typeof s.org === 'string' && s.org !== '') out.org = s.org;
  if (Array.isArray(s.repositories)) {
    out.repositories = s.repositories.map((r) => {
      if (typeof r !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(r)) throw new TributaryError('VALIDATION_FAILED', `Not a repository (owner/name): ${JSON.stringify(r)}`, { field: 'settings.repositories' });
      return r;
    });
  }
  if (typeof s.installationId === 'number' || (typeof s.installationId === 'string' && s.installationId !== '')) out.installationId = s.installationId;
  if (typeof s.includePullRequests === 'boolean') out.includePullRequests = s.includePullRequests;
  return out;
}

/** The URLs of a `Link` header by rel (`next`, `last`, ...). */
export function parseLinks(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?([^";]+)"?/.exec(part.trim());
    if (match) out[match[2] as string] = match[1] as string;
  }
  return out;
}

export const nextLink = (response: HttpResponse): string | null => parseLinks(response.headers.link).next ?? null;

export const perPage = (pageSize: number | undefined): number => Math.min(100, Math.max(1, Math.floor(pageSize ?? 100)));

export function asArray(body: unknown, what: string): Record<string, unknown>[] {
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  throw new TributaryError('PROVIDER_UNAVAILABLE', `GitHub answered ${what} with an unexpected body`, { details: { provider: 'github' } });
}

export function asObject(body: unknown, what: string): Record<string, unknown> {
  if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  throw new TributaryError('PROVIDER_UNAVAILABLE', `GitHub answered ${what} with an unexpected body`, { details: { provider: 'github' } });
}

/** One page of the repositories the connection syncs (installation, org or user). */
export async function listRepositoriesPage(ctx: ProviderContext, next: string | null, pageSize?: number): Promise<{ repos: Record<string, unknown>[]; next: string | null }> {
  const settings = settingsOf(ctx);
  const query = { per_page: perPage(pageSize) };
  let response: HttpResponse;
  if (next !== null) response = await ctx.http.request({ method: 'GET', path: next, operation: 'read', bucket: 'core' });
  else if (settings.installationId !== undefined) response = await ctx.http.request({ method: 'GET', path: 'installation/repositories', query, operation: 'read', bucket: 'core' });
  else if (settings.org) response = await ctx.http.request({ method: 'GET', path: `orgs/${encodeURIComponent(settings.org)}/repos`, query: { ...query, type: 'all' }, operation: 'read', bucket: 'core' });
  else response = await ctx.http.request({ method: 'GET', path: 'user/repos', query, operation: 'read', bucket: 'core' });
  const body = response.body;
  const repos = Array.isArray(body) ? (body as Record<string, unknown>[]) : asArray(asObject(body, 'a repository list').repositories, 'a repository list');
  return { repos, next: nextLink(response) };
}

/** `owner/name` of every repository whose issues and comments are synced. */
export async function syncedRepositories(ctx: ProviderContext): Promise<string[]> {
  const configured = settingsOf(ctx).repositories;
  if (configured) return configured;
  const names: string[] = [];
  let next: string | null = null;
  do {
    const page = await listRepositoriesPage(ctx, next);
    for (const repo of page.repos) if (typeof repo.full_name === 'string') names.push(repo.full_name);
    next = page.next;
  } while (next !== null);
  return names;
}

/** `owner/name` from an API URL (`…/repos/{owner}/{name}[/…]`). */
export function repoOfUrl(url: unknown): string | null {
  if (typeof url !== 'string') return null;
  const match = /\/repos\/([^/]+)\/([^/]+)/.exec(url);
  return match ? `${match[1]}/${match[2]}` : null;
}

export const repoPath = (repo: string): string => {
  const [owner, name] = repo.split('/');
  return `repos/${encodeURIComponent(owner ?? '')}/${encodeURIComponent(name ?? '')}`;
};

/** A GitHub JSON object as an ExternalRecord; version = modifiedAt = `updated_at`. */
export function toRecord(id: string, data: Record<string, unknown>): ExternalRecord {
  const updated = typeof data.updated_at === 'string' ? data.updated_at : null;
  return { id, version: updated, modifiedAt: updated, data };
}

export function parseIssueId(id: string): { repo: string; number: number } | null {
  const match = /^([\w.-]+\/[\w.-]+)#(\d+)$/.exec(id);
  return match ? { repo: match[1] as string, number: Number(match[2]) } : null;
}

export function parseCommentId(id: string): { repo: string; commentId: number } | null {
  const match = /^([\w.-]+\/[\w.-]+)\/comments\/(\d+)$/.exec(id);
  return match ? { repo: match[1] as string, commentId: Number(match[2]) } : null;
}

export function badId(kind: string, id: string, example: string): TributaryError {
  return new TributaryError('VALIDATION_FAILED', `Not a GitHub ${kind} id: ${JSON.stringify(id)} (expected ${example})`, { field: 'id' });
}

/** The repository named in written data (`repo: "owner/name"`), else the only configured one. */
export function repoForWrite(ctx: ProviderContext, data: Record<string, unknown>): string {
  if (typeof data.repo === 'string' && /^[\w.-]+\/[\w.-]+$/.test(data.repo)) return data.repo;
  const configured = settingsOf(ctx).repositories;
  if (configured?.length === 1) return configured[0] as string;
  throw new TributaryError('VALIDATION_FAILED', 'Say which repository to write to: data.repo = "owner/name"', { field: 'repo' });
}
