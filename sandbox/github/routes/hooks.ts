/**
 * Webhook registration through the REST API, for repositories (`/repos/{o}/{r}/hooks`)
 * and organizations (`/orgs/{org}/hooks`): create (which sends a `ping`), list, get,
 * update (`config`, `events`, `add_events`, `remove_events`, `active`), delete, pings,
 * the deliveries list and redelivery (`POST .../deliveries/{id}/attempts`, 202), which
 * resends with the same `X-GitHub-Delivery` GUID.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GithubPrincipal } from '../auth.ts';
import type { GhHook } from '../data.ts';
import { GithubHttpError, notFound, validationFailed } from '../errors.ts';
import { hookJson } from '../representations.ts';
import { apiGet, apiWrite, jsonBody, paginate } from '../responses.ts';
import type { GithubDeps } from '../responses.ts';
import { deliveryJson, lastResponse } from '../webhooks.ts';
import { actingUser, requireUser, writableRepo } from './access.ts';

type Scope = GhHook['scope'];
type Params = Record<string, string>;

const HOOK_DOCS = 'https://docs.github.com/rest/repos/webhooks#create-a-repository-webhook';

export function registerHookRoutes(app: FastifyInstance, deps: GithubDeps): void {
  const { store } = deps;

  const scopes: { base: string; resolve: (principal: GithubPrincipal, params: Params) => Scope }[] = [
    {
      base: '/repos/:owner/:repo/hooks',
      resolve: (principal, params) => ({ kind: 'repo', id: writableRepo(store, principal, params.owner ?? '', params.repo ?? '', HOOK_DOCS).id }),
    },
    {
      base: '/orgs/:org/hooks',
      resolve: (principal, params) => {
        const org = store.orgByLogin(params.org ?? '');
        const docs = 'https://docs.github.com/rest/orgs/webhooks#create-an-organization-webhook';
        if (principal.kind === 'installation') {
          // An installation manages the hooks of the org it is installed on (organization_hooks: write).
          if (!org || principal.installation.orgId !== org.id) throw notFound(docs);
          return { kind: 'org', id: org.id };
        }
        const user = requireUser(principal).user;
        if (!org || !org.memberIds.includes(user.id)) throw notFound(docs);
        return { kind: 'org', id: org.id };
      },
    },
  ];

  const hookIn = (scope: Scope, idParam: string | undefined): GhHook => {
    const hook = /^\d+$/.test(idParam ?? '') ? store.hooks.get(Number(idParam)) : undefined;
    if (!hook || hook.scope.kind !== scope.kind || hook.scope.id !== scope.id) throw notFound('https://docs.github.com/rest/repos/webhooks#get-a-repository-webhook');
    return hook;
  };

  const json = (hook: GhHook) => hookJson(deps.urls(), store, { ...hook, lastResponse: lastResponse(store, hook) });

  for (const { base, resolve } of scopes) {
    apiGet(app, deps, base, (request: FastifyRequest, principal, params) => {
      const scope = resolve(principal, params);
      const hooks = [...store.hooks.values()].filter((hook) => hook.scope.kind === scope.kind && hook.scope.id === scope.id);
      const { page, link } = paginate(request, deps.ctx.options.baseUrl, hooks);
      return { body: page.map(json), link };
    });

    apiGet(app, deps, `${base}/:hookId`, (_request, principal, params) => ({ body: json(hookIn(resolve(principal, params), params.hookId)) }));

    apiWrite(app, deps, 'POST', base, { createsContent: true }, (request, principal, params) => {
      const scope = resolve(principal, params);
      const body = jsonBody(request);
      const config = (body.config ?? {}) as Record<string, unknown>;
      const url = typeof config.url === 'string' ? config.url : '';
      if (!/^https?:\/\//.test(url)) throw validationFailed([{ resource: 'Hook', code: 'custom', message: 'Config must contain URL for webhooks' }], HOOK_DOCS);
      const duplicate = [...store.hooks.values()].some((hook) => hook.scope.kind === scope.kind && hook.scope.id === scope.id && hook.url === url);
      if (duplicate) throw validationFailed([{ resource: 'Hook', code: 'custom', message: `Hook already exists on this ${scope.kind === 'repo' ? 'repository' : 'organization'}` }], HOOK_DOCS);
      const now = deps.ctx.clock.now();
      const hook: GhHook = {
        id: store.nextId('hook'),
        scope,
        name: 'web',
        active: body.active !== false,
        events: Array.isArray(body.events) && body.events.length > 0 ? body.events.map(String) : ['push'],
        url,
        contentType: config.content_type === 'form' ? 'form' : 'json',
        secret: typeof config.secret === 'string' && config.secret !== '' ? config.secret : null,
        insecureSsl: String(config.insecure_ssl ?? '0') === '1' ? '1' : '0',
        createdAt: now,
        updatedAt: now,
        lastResponse: { code: null, status: 'unused', message: null },
      };
      store.hooks.set(hook.id, hook);
      deps.webhooks.ping(hook, actingUser(store, principal));
      return { status: 201, body: json(hook) };
    });

    apiWrite(app, deps, 'PATCH', `${base}/:hookId`, { createsContent: false }, (request, principal, params) => {
      const hook = hookIn(resolve(principal, params), params.hookId);
      const body = jsonBody(request);
      if (body.config !== undefined) {
        const config = body.config as Record<string, unknown>;
        if (typeof config.url === 'string') hook.url = config.url;
        if (config.content_type === 'json' || config.content_type === 'form') hook.contentType = config.content_type;
        if (typeof config.secret === 'string') hook.secret = config.secret === '' ? null : config.secret;
        if (config.insecure_ssl !== undefined) hook.insecureSsl = String(config.insecure_ssl) === '1' ? '1' : '0';
      }
      if (Array.isArray(body.events)) hook.events = body.events.map(String);
      if (Array.isArray(body.add_events)) hook.events = [...new Set([...hook.events, ...body.add_events.map(String)])];
      if (Array.isArray(body.remove_events)) {
        const removed = body.remove_events.map(String);
        hook.events = hook.events.filter((event) => !removed.includes(event));
      }
      if (typeof body.active === 'boolean') hook.active = body.active;
      hook.updatedAt = deps.ctx.clock.now();
      return { status: 200, body: json(hook) };
    });

    apiWrite(app, deps, 'DELETE', `${base}/:hookId`, { createsContent: false }, (_request, principal, params) => {
      const hook = hookIn(resolve(principal, params), params.hookId);
      store.hooks.delete(hook.id);
      return { status: 204, body: null };
    });

    apiWrite(app, deps, 'POST', `${base}/:hookId/pings`, { createsContent: false }, (_request, principal, params) => {
      deps.webhooks.ping(hookIn(resolve(principal, params), params.hookId), actingUser(store, principal));
      return { status: 204, body: null };
    });

    apiGet(app, deps, `${base}/:hookId/deliveries`, (request, principal, params) => {
      const hook = hookIn(resolve(principal, params), params.hookId);
      const deliveries = [...store.deliveries.values()].filter((delivery) => delivery.hookId === hook.id).sort((a, b) => b.id - a.id);
      const { page, link } = paginate(request, deps.ctx.options.baseUrl, deliveries);
      return { body: page.map(deliveryJson), link };
    });

    apiGet(app, deps, `${base}/:hookId/deliveries/:deliveryId`, (_request, principal, params) => {
      const hook = hookIn(resolve(principal, params), params.hookId);
      const delivery = store.deliveries.get(Number(params.deliveryId));
      if (!delivery || delivery.hookId !== hook.id) throw notFound();
      const attempt = delivery.record.attempts.at(-1);
      return {
        body: {
          ...deliveryJson(delivery),
          url: hook.url,
          request: { headers: delivery.headers, payload: JSON.parse(hook.contentType === 'form' ? decodeURIComponent(delivery.body.slice('payload='.length)) : delivery.body) },
          response: { headers: {}, payload: attempt?.error ?? null },
        },
      };
    });

    apiWrite(app, deps, 'POST', `${base}/:hookId/deliveries/:deliveryId/attempts`, { createsContent: false }, (_request, principal, params) => {
      const hook = hookIn(resolve(principal, params), params.hookId);
      const delivery = store.deliveries.get(Number(params.deliveryId));
      if (!delivery || delivery.hookId !== hook.id) throw notFound('https://docs.github.com/rest/repos/webhooks#redeliver-a-delivery-for-a-repository-webhook');
      if (!hook.active) throw new GithubHttpError(422, 'Hook is not active', HOOK_DOCS);
      deps.webhooks.redeliver(delivery);
      return { status: 202, body: {} };
    });
  }
}
