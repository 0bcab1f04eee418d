/**
 * The GitHub simulator: api.github.com under `/github` (REST reads and writes, hooks,
 * GitHub App endpoints, rate limits) and github.com's OAuth endpoints under
 * `/github/login/oauth/...`. Control routes under `/_sandbox/github/`:
 *
 * - `GET  /_sandbox/github/app`: the sandbox GitHub App (id, client id, installation id
 *   and its private key, PKCS#1 as GitHub hands it out and PKCS#8) for signing JWTs.
 * - `GET|PUT|POST /_sandbox/github/settings`: `oauthKind` (`github_app`: expiring `ghu_` +
 *   rotating `ghr_`; `oauth_app`: non-expiring `gho_`), `primaryLimitStatus` and
 *   `secondaryLimitStatus` (403 or 429), `maxConcurrent`.
 * - `GET  /_sandbox/github/deliveries`: every webhook delivery with its attempts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IssuedTokens, ProviderSimulator, SandboxContext } from '../core/types.ts';
import { GithubAuth, SandboxGithubApp, userTokenOptions } from './auth.ts';
import type { OAuthKind } from './auth.ts';
import { GithubChanges } from './changes.ts';
import { githubRecordControl } from './control.ts';
import { GithubStore } from './data.ts';
import { GithubHttpError, sendError } from './errors.ts';
import { registerOAuthRoutes } from './oauth.ts';
import { GithubRateLimiter } from './rate-limits.ts';
import type { GithubLimitSettings } from './rate-limits.ts';
import type { Urls } from './representations.ts';
import { InvalidJson } from './responses.ts';
import type { GithubDeps } from './responses.ts';
import { registerAppRoutes } from './routes/app.ts';
import { registerHookRoutes } from './routes/hooks.ts';
import { registerIssueRoutes } from './routes/issues.ts';
import { registerRepoRoutes } from './routes/repos.ts';
import { registerUserRoutes } from './routes/users.ts';
import { seedGithub } from './seed.ts';
import { GithubWebhooks, deliveryJson } from './webhooks.ts';

export interface GithubSimulatorOptions {
  /** What the sandbox OAuth client behaves as (default `github_app`: expiring user tokens). */
  oauthKind?: OAuthKind;
  /** Status of a primary-limit answer (GitHub sends 403 or 429; default 403). */
  primaryLimitStatus?: 403 | 429;
  secondaryLimitStatus?: 403 | 429;
  /** Secondary limit on requests in flight per user or installation (default 100). */
  maxConcurrent?: number;
}

interface Runtime {
  deps: GithubDeps;
  changes: GithubChanges;
}

export function createGithubSimulator(options: GithubSimulatorOptions = {}): ProviderSimulator {
  const store = new GithubStore();
  const app = new SandboxGithubApp();
  const settings: GithubLimitSettings & { oauthKind: OAuthKind } = {
    oauthKind: options.oauthKind ?? 'github_app',
    primaryStatus: options.primaryLimitStatus ?? 403,
    secondaryStatus: options.secondaryLimitStatus ?? 403,
    maxConcurrent: options.maxConcurrent ?? 100,
  };
  let runtime: Runtime | null = null;
  let context: SandboxContext | null = null;

  const ensure = (ctx: SandboxContext): Runtime => {
    if (runtime && context === ctx) return runtime;
    context = ctx;
    const urls = (): Urls => ({ api: `${ctx.options.baseUrl}/github` });
    const webhooks = new GithubWebhooks(ctx, store, urls);
    const deps: GithubDeps = { ctx, store, auth: new GithubAuth(ctx, store, app), limiter: new GithubRateLimiter(ctx, settings), webhooks, urls };
    runtime = { deps, changes: new GithubChanges(ctx, store, webhooks, urls) };
    return runtime;
  };
  const current = (): Runtime => {
    if (!runtime) throw new Error('the GitHub simulator is not registered in a sandbox yet');
    return runtime;
  };

  return {
    name: 'github',

    async register(scope: FastifyInstance, ctx: SandboxContext) {
      const { deps, changes } = ensure(ctx);
      if (scope.hasContentTypeParser('application/json')) scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = String(body);
        if (text.trim() === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(null, new InvalidJson(text));
        }
      });
      scope.addHook('onRequest', async (_request, reply) => {
        reply.header('x-github-request-id', deps.limiter.nextRequestId());
        reply.header('x-github-api-version-selected', '2022-11-28');
        reply.header('x-github-media-type', 'github.v3; format=json');
      });
      scope.addHook('onResponse', async (request) => deps.limiter.leave(request));
      scope.setErrorHandler((error, _request, reply) => {
        if (error instanceof GithubHttpError) return sendError(reply, error);
        const status = (error as { statusCode?: number }).statusCode ?? 500;
        return sendError(reply, new GithubHttpError(status, status >= 500 ? 'Server Error' : (error as Error).message));
      });
      scope.setNotFoundHandler((_request, reply) => sendError(reply, new GithubHttpError(404, 'Not Found', 'https://docs.github.com/rest')));
      registerOAuthRoutes(scope, ctx, store, () => settings.oauthKind);
      registerUserRoutes(scope, deps);
      registerRepoRoutes(scope, deps, changes);
      registerIssueRoutes(scope, deps, changes);
      registerHookRoutes(scope, deps);
      registerAppRoutes(scope, deps);
    },

    async registerControl(scope: FastifyInstance, ctx: SandboxContext) {
      const { deps } = ensure(ctx);
      scope.get('/app', async () => {
        const keys = app.keyPair();
        const installation = [...store.installations.values()][0];
        return {
          appId: app.id,
          slug: app.slug,
          clientId: deps.auth.defaultClientId(),
          installationId: installation?.id ?? null,
          privateKey: keys.privatePkcs1,
          privateKeyPkcs8: keys.privatePkcs8,
          publicKey: keys.publicPem,
        };
      });
      const showSettings = () => ({
        oauthKind: settings.oauthKind,
        primaryLimitStatus: settings.primaryStatus,
        secondaryLimitStatus: settings.secondaryStatus,
        maxConcurrent: settings.maxConcurrent,
        defaultLogin: store.defaultLogin,
      });
      scope.get('/settings', async () => showSettings());
      const updateSettings = async (request: FastifyRequest, reply: FastifyReply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (body.oauthKind !== undefined && body.oauthKind !== 'github_app' && body.oauthKind !== 'oauth_app') {
          return reply.code(400).send({ error: 'oauthKind must be github_app or oauth_app' });
        }
        if (body.oauthKind !== undefined) settings.oauthKind = body.oauthKind as OAuthKind;
        if (body.primaryLimitStatus === 403 || body.primaryLimitStatus === 429) settings.primaryStatus = body.primaryLimitStatus;
        if (body.secondaryLimitStatus === 403 || body.secondaryLimitStatus === 429) settings.secondaryStatus = body.secondaryLimitStatus;
        if (typeof body.maxConcurrent === 'number' && body.maxConcurrent >= 1) settings.maxConcurrent = Math.floor(body.maxConcurrent);
        return showSettings();
      };
      scope.post('/settings', updateSettings);
      scope.put('/settings', updateSettings);
      scope.get('/deliveries', async () =>
        [...store.deliveries.values()].map((delivery) => ({ ...deliveryJson(delivery), hook_id: delivery.hookId, attempts: delivery.record.attempts })),
      );
    },

    seed(ctx: SandboxContext) {
      ensure(ctx);
      seedGithub(ctx, store);
    },

    control: githubRecordControl(store, () => current().changes, () => current().deps.urls(), () => current().deps.ctx.clock.now()),

    mint(ctx: SandboxContext, input: { account?: string; scopes?: string[]; accessSeconds?: number }): IssuedTokens {
      const { deps } = ensure(ctx);
      const account = input.account ?? store.defaultLogin;
      const installationRef = /^installation:(\d+)$/.exec(account);
      if (installationRef) {
        const installation = store.installations.get(Number(installationRef[1]));
        if (!installation) throw new GithubHttpError(404, `no installation ${installationRef[1]}`);
        return deps.auth.issueInstallationToken(installation, null, input.accessSeconds);
      }
      const user = store.userByLogin(account);
      if (!user) throw new GithubHttpError(404, `no GitHub user ${account}`);
      const issueOptions = userTokenOptions(settings.oauthKind);
      if (input.accessSeconds !== undefined) issueOptions.accessSeconds = input.accessSeconds;
      return ctx.tokens.issue(
        { provider: 'github', clientId: deps.auth.defaultClientId(), account: user.login, scopes: input.scopes ?? ['repo', 'read:org', 'admin:repo_hook'], extra: { kind: settings.oauthKind } },
        issueOptions,
      );
    },

    faultResponse(status: number) {
      if (status === 429 || status === 403) {
        return {
          headers: { 'retry-after': '60' },
          body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits', status: String(status) },
        };
      }
      const messages: Record<number, string> = { 500: 'Server Error', 502: 'Server Error', 503: 'Service Unavailable', 504: 'We couldn\'t respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists.' };
      return { body: { message: messages[status] ?? 'Server Error', documentation_url: 'https://docs.github.com/rest', status: String(status) } };
    },
  };
}
