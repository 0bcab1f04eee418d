/**
 * GitHub App endpoints authenticated by the app's JWT: `GET /app`, `GET
 * /app/installations[/{id}]`, `GET /orgs/{org}/installation`, `GET
 * /repos/{o}/{r}/installation`, and `POST /app/installations/{id}/access_tokens`, which
 * answers 201 with a `ghs_` token that expires after 1 hour (narrowed by `repositories`
 * or `repository_ids` when given).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { GhInstallation } from '../data.ts';
import { isoSeconds } from '../data.ts';
import { notFound, validationFailed } from '../errors.ts';
import { repoJson, simpleUser } from '../representations.ts';
import { jsonBody } from '../responses.ts';
import type { GithubDeps } from '../responses.ts';

const PERMISSIONS = { issues: 'write', metadata: 'read', members: 'read', organization_hooks: 'write', repository_hooks: 'write' };
const EVENTS = ['issues', 'issue_comment', 'repository', 'pull_request'];

export function registerAppRoutes(app: FastifyInstance, deps: GithubDeps): void {
  const { store, auth } = deps;
  const send = (reply: FastifyReply, status: number, body: unknown) => reply.code(status).type('application/json; charset=utf-8').send(JSON.stringify(body));

  const installationJson = (installation: GhInstallation): Record<string, unknown> => {
    const org = store.orgs.get(installation.orgId);
    const api = deps.urls().api;
    return {
      id: installation.id,
      account: org ? simpleUser(deps.urls(), org) : null,
      repository_selection: 'all',
      access_tokens_url: `${api}/app/installations/${installation.id}/access_tokens`,
      repositories_url: `${api}/installation/repositories`,
      html_url: `https://github.com/organizations/${org?.login ?? 'ghost'}/settings/installations/${installation.id}`,
      app_id: auth.app.id,
      app_slug: auth.app.slug,
      target_id: installation.orgId,
      target_type: 'Organization',
      permissions: PERMISSIONS,
      events: EVENTS,
      created_at: isoSeconds(installation.createdAt),
      updated_at: isoSeconds(installation.createdAt),
      single_file_name: null,
      suspended_at: null,
      suspended_by: null,
    };
  };

  const installationById = (id: string | undefined): GhInstallation => {
    const installation = /^\d+$/.test(id ?? '') ? store.installations.get(Number(id)) : undefined;
    if (!installation) throw notFound('https://docs.github.com/rest/apps/apps#get-an-installation-for-the-authenticated-app');
    return installation;
  };

  app.get('/app', async (request, reply) => {
    await auth.authenticateApp(request);
    return send(reply, 200, {
      id: auth.app.id,
      slug: auth.app.slug,
      client_id: auth.defaultClientId(),
      name: auth.app.name,
      description: 'The sandbox GitHub App Tributary connects as.',
      external_url: 'https://github.com',
      html_url: `https://github.com/apps/${auth.app.slug}`,
      permissions: PERMISSIONS,
      events: EVENTS,
      installations_count: store.installations.size,
    });
  });

  app.get('/app/installations', async (request, reply) => {
    await auth.authenticateApp(request);
    return send(reply, 200, [...store.installations.values()].map(installationJson));
  });

  app.get('/app/installations/:id', async (request, reply) => {
    await auth.authenticateApp(request);
    return send(reply, 200, installationJson(installationById((request.params as Record<string, string>).id)));
  });

  app.get('/orgs/:org/installation', async (request, reply) => {
    await auth.authenticateApp(request);
    const org = store.orgByLogin((request.params as Record<string, string>).org ?? '');
    const installation = [...store.installations.values()].find((candidate) => candidate.orgId === org?.id);
    if (!installation) throw notFound('https://docs.github.com/rest/apps/apps#get-an-organization-installation-for-the-authenticated-app');
    return send(reply, 200, installationJson(installation));
  });

  app.get('/repos/:owner/:repo/installation', async (request, reply) => {
    await auth.authenticateApp(request);
    const params = request.params as Record<string, string>;
    const repo = store.repoByName(params.owner ?? '', params.repo ?? '');
    const installation = [...store.installations.values()].find((candidate) => repo?.ownerType === 'Organization' && candidate.orgId === repo.ownerId);
    if (!installation) throw notFound('https://docs.github.com/rest/apps/apps#get-a-repository-installation-for-the-authenticated-app');
    return send(reply, 200, installationJson(installation));
  });

  app.post('/app/installations/:id/access_tokens', async (request, reply) => {
    await auth.authenticateApp(request);
    const installation = installationById((request.params as Record<string, string>).id);
    const body = jsonBody(request);
    const orgRepos = [...store.repos.values()].filter((repo) => !repo.deleted && repo.ownerType === 'Organization' && repo.ownerId === installation.orgId);
    let repoIds: number[] | null = null;
    if (Array.isArray(body.repositories) || Array.isArray(body.repository_ids)) {
      const names = Array.isArray(body.repositories) ? body.repositories.map((name) => String(name).toLowerCase()) : [];
      const ids = Array.isArray(body.repository_ids) ? body.repository_ids.map(Number) : [];
      const chosen = orgRepos.filter((repo) => names.includes(repo.name.toLowerCase()) || ids.includes(repo.id));
      if (chosen.length < names.length + ids.length) {
        throw validationFailed([{ resource: 'Installation', code: 'invalid', field: 'repositories', message: 'There is at least one repository that does not exist or is not accessible to the parent installation.' }]);
      }
      repoIds = chosen.map((repo) => repo.id);
    }
    const tokens = auth.issueInstallationToken(installation, repoIds);
    const expiresAt = deps.ctx.clock.now() + (tokens.expiresIn ?? 3600) * 1000;
    const answer: Record<string, unknown> = {
      token: tokens.accessToken,
      expires_at: isoSeconds(expiresAt),
      permissions: PERMISSIONS,
      repository_selection: repoIds === null ? 'all' : 'selected',
    };
    if (repoIds !== null) answer.repositories = orgRepos.filter((repo) => repoIds.includes(repo.id)).map((repo) => repoJson(deps.urls(), store, repo));
    return send(reply, 201, answer);
  });
}
