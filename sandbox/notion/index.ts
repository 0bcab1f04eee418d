/**
 * The Notion simulator: api.notion.com under `/notion` (`/notion/v1/...`). See
 * /work/shared/providers.md §3 for the facts it follows.
 */
import type { FastifyError } from 'fastify';
import type { FastifyInstance, ProviderSimulator, SandboxContext } from '../core/types.ts';
import { checkNotionRequest, mintNotionToken, registerNotionOAuth } from './auth.ts';
import { notionRecordControl, registerNotionControl } from './control.ts';
import { NotionApiError, notionFaultResponse, sendNotionError } from './errors.ts';
import { NotionIds } from './ids.ts';
import { takeNotionLimits } from './rate-limits.ts';
import { CursorBook } from './query/cursors.ts';
import { seedNotion } from './data/seed.ts';
import { NotionStore } from './data/store.ts';
import { registerBlockRoutes } from './routes/blocks.ts';
import { registerDatabaseRoutes } from './routes/databases.ts';
import { registerPageRoutes } from './routes/pages.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerUserRoutes } from './routes/users.ts';
import { DEFAULT_NOTION_RETRY_DELAYS_MS, NotionWebhooks } from './webhooks.ts';

export { notionSignature } from './webhooks.ts';
export { NOTION_CONTACT_COVERAGE } from './data/seed.ts';
export { NOTION_LIMITS } from './rate-limits.ts';
export { LATEST_NOTION_VERSION } from './auth.ts';

export interface NotionSimulatorOptions {
  /**
   * Delays between webhook attempts (Notion makes at most 8), before the sandbox's
   * `webhookDelayScale`; default 1 s doubling.
   */
  webhookRetryDelaysMs?: number[];
}

interface NotionState {
  store: NotionStore;
  cursors: CursorBook;
  webhooks: NotionWebhooks;
  seeded: boolean;
}

/** A fresh Notion simulator (its own workspace), for `createSandbox({ providers })`. */
export function createNotionSimulator(options: NotionSimulatorOptions = {}): ProviderSimulator {
  let state: NotionState | null = null;
  const ensure = (ctx: SandboxContext): NotionState => {
    if (state) return state;
    const store = new NotionStore(new NotionIds(ctx.rng('notion:ids')), () => ctx.clock.now());
    state = {
      store,
      cursors: new CursorBook(new NotionIds(ctx.rng('notion:cursors'))),
      webhooks: new NotionWebhooks(ctx, store, new NotionIds(ctx.rng('notion:webhooks')), options.webhookRetryDelaysMs ?? DEFAULT_NOTION_RETRY_DELAYS_MS),
      seeded: false,
    };
    return state;
  };
  const seed = (ctx: SandboxContext): NotionState => {
    const s = ensure(ctx);
    s.store.reset(new NotionIds(ctx.rng('notion:ids')));
    s.cursors.reset(new NotionIds(ctx.rng('notion:cursors')));
    s.webhooks.reset(new NotionIds(ctx.rng('notion:webhooks')));
    seedNotion(ctx, s.store);
    s.seeded = true;
    return s;
  };
  const current = (): NotionState => {
    if (!state) throw new Error('the Notion simulator has not been seeded');
    return state;
  };

  return {
    name: 'notion',
    seed(ctx) {
      seed(ctx);
    },
    async register(app: FastifyInstance, ctx: SandboxContext) {
      const s = ensure(ctx);
      app.setErrorHandler((error: FastifyError, _request, reply) => {
        if (error instanceof NotionApiError) return sendNotionError(reply, error);
        if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
          return sendNotionError(reply, new NotionApiError('invalid_json', 'Error parsing JSON body.'));
        }
        if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
          return sendNotionError(reply, new NotionApiError('invalid_request', error.message));
        }
        return sendNotionError(reply, new NotionApiError('internal_server_error', 'Unexpected error occurred.'));
      });
      // Notion's own answer to a body that is not JSON: 400 invalid_json.
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = (body as string).trim();
        if (text === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new NotionApiError('invalid_json', 'Error parsing JSON body.'), undefined);
        }
      });
      app.setNotFoundHandler((_request, reply) => sendNotionError(reply, new NotionApiError('invalid_request_url', 'Invalid request URL.')));
      registerNotionOAuth(app, ctx, s.store);
      await app.register(async (api) => {
        api.addHook('onRequest', async (request) => {
          const auth = checkNotionRequest(ctx, request);
          takeNotionLimits(ctx, auth.grant);
        });
        const deps = { ctx, store: s.store, cursors: s.cursors };
        registerUserRoutes(api, deps);
        registerSearchRoutes(api, deps);
        registerDatabaseRoutes(api, deps);
        registerPageRoutes(api, deps);
        registerBlockRoutes(api, deps);
      });
    },
    control: notionRecordControl(() => current().store),
    mint(ctx, input) {
      const s = state?.seeded ? state : seed(ctx);
      return mintNotionToken(ctx, s.store, input);
    },
    registerControl(app, ctx) {
      ensure(ctx);
      registerNotionControl(app, ctx, { store: () => current().store, webhooks: () => current().webhooks });
    },
    faultResponse: notionFaultResponse,
  };
}
