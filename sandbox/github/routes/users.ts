/**
 * `GET /user`, `GET /users/{username}`, `GET /orgs/{org}` and `GET /rate_limit` (which is
 * free: it shows the budget without spending it).
 */
import type { FastifyInstance } from 'fastify';
import { notFound } from '../errors.ts';
import { fullUser, orgJson } from '../representations.ts';
import { apiGet } from '../responses.ts';
import type { GithubDeps } from '../responses.ts';
import { requireUser } from './access.ts';

export function registerUserRoutes(app: FastifyInstance, deps: GithubDeps): void {
  const { store } = deps;

  apiGet(app, deps, '/user', (_request, principal) => {
    const { user } = requireUser(principal, 'https://docs.github.com/rest/users/users#get-the-authenticated-user');
    return { body: fullUser(deps.urls(), store, user), lastModified: user.updatedAt };
  });

  apiGet(app, deps, '/users/:username', (_request, _principal, params) => {
    const login = params.username ?? '';
    const user = store.userByLogin(login);
    if (user) return { body: fullUser(deps.urls(), store, user), lastModified: user.updatedAt };
    const org = store.orgByLogin(login);
    if (org) return { body: { ...orgJson(deps.urls(), org), name: org.name, type: 'Organization' }, lastModified: org.updatedAt };
    throw notFound('https://docs.github.com/rest/users/users#get-a-user');
  });

  apiGet(app, deps, '/orgs/:org', (_request, _principal, params) => {
    const org = store.orgByLogin(params.org ?? '');
    if (!org) throw notFound('https://docs.github.com/rest/orgs/orgs#get-an-organization');
    return { body: { ...orgJson(deps.urls(), org), name: org.name, type: 'Organization', created_at: new Date(org.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  });

  app.get('/rate_limit', async (request, reply) => {
    const principal = deps.auth.authenticate(request);
    deps.limiter.showPrimary(principal.identity, reply);
    return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(deps.limiter.rateLimitBody(principal.identity)));
  });
}
