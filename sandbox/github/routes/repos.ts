/**
 * Repository reads: `GET /user/repos` (default sort `full_name`), `GET /orgs/{org}/repos`
 * (default sort `created`; direction defaults to asc for `full_name`, else desc, as
 * GitHub documents), `GET /repos/{owner}/{repo}` and, for installations, `GET
 * /installation/repositories`. Writes: `POST /orgs/{org}/repos`, `POST /user/repos`,
 * `PATCH` and `DELETE /repos/{owner}/{repo}`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GhRepo } from '../data.ts';
import { notFound } from '../errors.ts';
import { repoJson } from '../representations.ts';
import { apiGet, apiWrite, direction, jsonBody, paginate } from '../responses.ts';
import type { GithubDeps } from '../responses.ts';
import type { GithubChanges } from '../changes.ts';
import { actingUser, canRead, readableRepo, requireUser, writableRepo } from './access.ts';

type Query = Record<string, string | undefined>;

function sortRepos(store: GithubDeps['store'], repos: GhRepo[], query: Query, defaultSort: 'full_name' | 'created'): GhRepo[] {
  const sort = ['created', 'updated', 'pushed', 'full_name'].includes(query.sort ?? '') ? (query.sort as string) : defaultSort;
  const dir = direction(query, sort === 'full_name' ? 'asc' : 'desc');
  const key = (repo: GhRepo): string | number =>
    sort === 'full_name' ? store.fullName(repo).toLowerCase() : sort === 'updated' ? repo.updatedAt : sort === 'pushed' ? repo.pushedAt : repo.createdAt;
  const sorted = [...repos].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    return (ka < kb ? -1 : ka > kb ? 1 : 0) || a.id - b.id;
  });
  return dir === 'asc' ? sorted : sorted.reverse();
}

export function registerRepoRoutes(app: FastifyInstance, deps: GithubDeps, changes: GithubChanges): void {
  const { store } = deps;
  const page = (request: FastifyRequest, repos: GhRepo[]) => {
    const { page: slice, link } = paginate(request, deps.ctx.options.baseUrl, repos);
    return { body: slice.map((repo) => repoJson(deps.urls(), store, repo)), link };
  };

  apiGet(app, deps, '/user/repos', (request, principal) => {
    const { user } = requireUser(principal, 'https://docs.github.com/rest/repos/repos#list-repositories-for-the-authenticated-user');
    const query = request.query as Query;
    let repos = store.reposVisibleTo(user.id);
    if (query.visibility === 'public' || query.visibility === 'private') repos = repos.filter((repo) => repo.private === (query.visibility === 'private'));
    if (query.type === 'owner') repos = repos.filter((repo) => repo.ownerType === 'User' && repo.ownerId === user.id);
    if (query.since) {
      const since = Date.parse(query.since);
      if (!Number.isNaN(since)) repos = repos.filter((repo) => repo.updatedAt >= since);
    }
    return page(request, sortRepos(store, repos, query, 'full_name'));
  });

  apiGet(app, deps, '/orgs/:org/repos', (request, principal, params) => {
    const org = store.orgByLogin(params.org ?? '');
    if (!org) throw notFound('https://docs.github.com/rest/repos/repos#list-organization-repositories');
    const query = request.query as Query;
    let repos = [...store.repos.values()].filter((repo) => repo.ownerType === 'Organization' && repo.ownerId === org.id && canRead(store, principal, repo));
    if (query.type === 'public' || query.type === 'private') repos = repos.filter((repo) => repo.private === (query.type === 'private'));
    return page(request, sortRepos(store, repos, query, 'created'));
  });

  apiGet(app, deps, '/installation/repositories', (request, principal) => {
    if (principal.kind !== 'installation') throw notFound('https://docs.github.com/rest/apps/installations#list-repositories-accessible-to-the-app-installation');
    const repos = sortRepos(store, [...store.repos.values()].filter((repo) => canRead(store, principal, repo)), {}, 'full_name');
    const { page: slice, link } = paginate(request, deps.ctx.options.baseUrl, repos);
    return { body: { total_count: repos.length, repository_selection: principal.repoIds === null ? 'all' : 'selected', repositories: slice.map((repo) => repoJson(deps.urls(), store, repo)) }, link };
  });

  apiGet(app, deps, '/repos/:owner/:repo', (_request, principal, params) => {
    const repo = readableRepo(store, principal, params.owner ?? '', params.repo ?? '', 'https://docs.github.com/rest/repos/repos#get-a-repository');
    return { body: repoJson(deps.urls(), store, repo), lastModified: repo.updatedAt };
  });

  apiWrite(app, deps, 'POST', '/orgs/:org/repos', { createsContent: true }, (request, principal, params) => {
    const org = store.orgByLogin(params.org ?? '');
    if (!org) throw notFound('https://docs.github.com/rest/repos/repos#create-an-organization-repository');
    const repo = changes.createRepo({ kind: 'Organization', id: org.id }, jsonBody(request), actingUser(store, principal));
    return { status: 201, body: repoJson(deps.urls(), store, repo) };
  });

  apiWrite(app, deps, 'POST', '/user/repos', { createsContent: true }, (request, principal) => {
    const { user } = requireUser(principal);
    const repo = changes.createRepo({ kind: 'User', id: user.id }, jsonBody(request), user);
    return { status: 201, body: repoJson(deps.urls(), store, repo) };
  });

  apiWrite(app, deps, 'PATCH', '/repos/:owner/:repo', { createsContent: false }, (request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    changes.updateRepo(repo, jsonBody(request), actingUser(store, principal));
    return { status: 200, body: repoJson(deps.urls(), store, repo) };
  });

  apiWrite(app, deps, 'DELETE', '/repos/:owner/:repo', { createsContent: false }, (_request, principal, params) => {
    const repo = writableRepo(store, principal, params.owner ?? '', params.repo ?? '');
    changes.deleteRepo(repo, actingUser(store, principal));
    return { status: 204, body: null };
  });
}
