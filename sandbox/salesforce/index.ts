/**
 * The Salesforce simulator (`/salesforce`): OAuth 2 (authorize, token with PKCE and
 * refresh, revoke), the REST API v60.0 paths a sync uses (SOQL query/queryAll with
 * nextRecordsUrl paging, sObject rows with ETag/If-Match on Account and
 * If-Unmodified-Since, upsert by External_Id__c, sObject Collections, describe,
 * getDeleted/getUpdated, limits), the daily API limit with
 * Sforce-Limit-Info, and outbound messages. Data: Contacts from the generated people,
 * Accounts from their companies, Opportunities per Account.
 */
import type { FastifyInstance } from 'fastify';
import type { ProviderSimulator, SandboxContext } from '../core/types.ts';
import { SalesforceData, toControlError } from './data.ts';
import { faultBody, NOT_FOUND } from './errors.ts';
import { DEFAULT_SETTINGS, instanceUrl, issueOptions, registerConnectedAppControl, registerOAuth, type SalesforceSettings } from './oauth.ts';
import { OutboundMessages } from './outbound.ts';
import { QueryEngine } from './query.ts';
import { dailyRule, registerRest } from './rest.ts';
import { objectDef, OBJECTS } from './schema.ts';
import { CONTACT_COVERAGE, seedSalesforce } from './seed.ts';

export type { SalesforceSettings } from './oauth.ts';
export { OUTBOUND_RETRY_DELAYS_MS } from './outbound.ts';

/** Connected-app settings (changeable later through PUT /_sandbox/salesforce/settings) and seeding. */
export interface SalesforceSimulatorOptions extends Partial<SalesforceSettings> {
  /** Share of the generated people held as Contacts (default 0.9). */
  contactCoverage?: number;
}

export interface SalesforceSimulator extends ProviderSimulator {
  /** The org's 18-char id (`00D…`), the account of every grant. */
  orgId(): string;
  settings(): SalesforceSettings;
}

export function createSalesforceSimulator(options: SalesforceSimulatorOptions = {}): SalesforceSimulator {
  const { contactCoverage = CONTACT_COVERAGE, ...initial } = options;
  let context: SandboxContext | null = null;
  const ctxOf = (): SandboxContext => {
    if (!context) throw new Error('salesforce simulator used before register/seed');
    return context;
  };
  const settings: SalesforceSettings = { ...DEFAULT_SETTINGS, ...initial };
  const data = new SalesforceData(ctxOf);
  const engine = new QueryEngine(data.stores, () => ctxOf().clock.now());
  const outbound = new OutboundMessages();
  data.onChange((record, kind) => {
    if (kind !== 'deleted') outbound.notify(ctxOf(), record, instanceUrl(ctxOf()));
  });

  const asControl = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      throw toControlError(error);
    }
  };
  const project = (record: Parameters<QueryEngine['project']>[0]) => engine.project(record, null, 'v60.0');

  return {
    name: 'salesforce',
    orgId: () => data.orgId,
    settings: () => ({ ...settings }),

    register(app: FastifyInstance, ctx: SandboxContext) {
      context = ctx;
      app.setNotFoundHandler((_request, reply) => reply.code(404).send(NOT_FOUND));
      registerOAuth(app, ctx, data, () => settings);
      registerRest(app, ctx, data, engine, () => settings);
    },

    seed(ctx: SandboxContext) {
      context = ctx;
      engine.reset();
      outbound.remove();
      seedSalesforce(ctx, data, contactCoverage);
    },

    control: {
      objects: () => Object.keys(OBJECTS),
      list(object, { limit, offset }) {
        return asControl(() => {
          const store = data.store(object);
          const { records, start } = store.orderedFrom(null, false);
          const out: unknown[] = [];
          let skipped = 0;
          for (let i = start; i < records.length && out.length < limit; i++) {
            const r = records[i]!;
            if (r.deletedAt !== null) continue;
            if (skipped++ < offset) continue;
            out.push(project(r));
          }
          return { total: store.liveCount(), records: out };
        });
      },
      create: (object, fields) => asControl(() => project(data.create(object, fields))),
      update: (object, id, fields) => asControl(() => project(data.update(object, id, fields))),
      remove(object, id) {
        try {
          data.remove(object, id);
          return true;
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode === 404) return false;
          throw toControlError(error);
        }
      },
    },

    mint(ctx, input) {
      const grant = {
        provider: 'salesforce' as const,
        clientId: ctx.tokens.clients('salesforce')[0]?.clientId ?? 'sandbox-salesforce-client',
        account: input.account ?? data.orgId,
        scopes: input.scopes ?? ['api', 'refresh_token'],
        extra: { userId: data.userId },
      };
      const options = issueOptions(settings, data.orgId);
      if (input.accessSeconds !== undefined) options.accessSeconds = input.accessSeconds;
      return ctx.tokens.issue(grant, options);
    },

    registerControl(app: FastifyInstance, ctx: SandboxContext) {
      app.get('/org', async () => ({
        orgId: data.orgId,
        userId: data.userId,
        instanceUrl: instanceUrl(ctx),
        apiUsage: ctx.limits.peek(dailyRule(data, settings)),
      }));
      registerConnectedAppControl(app, ctx, data);
      app.get('/settings', async () => settings);
      app.put('/settings', async (request, reply) => {
        const b = (request.body ?? {}) as Partial<SalesforceSettings>;
        if (b.rotateRefreshTokens !== undefined) settings.rotateRefreshTokens = Boolean(b.rotateRefreshTokens);
        if (b.sessionSeconds !== undefined) {
          if (!(Number(b.sessionSeconds) > 0)) return reply.code(400).send({ error: 'sessionSeconds must be > 0' });
          settings.sessionSeconds = Number(b.sessionSeconds);
        }
        if (b.refreshTokenSeconds !== undefined) settings.refreshTokenSeconds = b.refreshTokenSeconds === null ? null : Number(b.refreshTokenSeconds);
        if (b.dailyApiLimit !== undefined) {
          if (!(Number(b.dailyApiLimit) >= 1)) return reply.code(400).send({ error: 'dailyApiLimit must be >= 1' });
          settings.dailyApiLimit = Number(b.dailyApiLimit);
        }
        return settings;
      });
      app.post('/outbound-messages', async (request, reply) => {
        const b = (request.body ?? {}) as { url?: unknown; object?: unknown; orgId?: unknown; fields?: unknown };
        if (typeof b.url !== 'string' || !/^https?:\/\//.test(b.url)) return reply.code(400).send({ error: 'url must be an http(s) URL' });
        if (typeof b.object !== 'string' || !objectDef(b.object)) return reply.code(400).send({ error: `object must be one of ${Object.keys(OBJECTS).join(', ')}` });
        const input: { url: string; object: string; orgId: string; fields?: string[] } = {
          url: b.url,
          object: b.object,
          orgId: typeof b.orgId === 'string' ? b.orgId : data.orgId,
        };
        if (Array.isArray(b.fields)) input.fields = b.fields.map(String);
        return reply.code(201).send(outbound.add(input));
      });
      app.get('/outbound-messages', async () => ({ targets: outbound.list() }));
      app.delete('/outbound-messages', async () => ({ removed: outbound.remove() }));
      app.delete<{ Params: { id: string } }>('/outbound-messages/:id', async (request, reply) => {
        const removed = outbound.remove(request.params.id);
        return removed ? { removed } : reply.code(404).send({ error: 'no such target' });
      });
      app.post('/purge', async (request, reply) => {
        const b = (request.body ?? {}) as { object?: string; until?: string | number };
        const until = b.until === undefined ? ctx.clock.now() : typeof b.until === 'number' ? b.until : Date.parse(b.until);
        if (Number.isNaN(until)) return reply.code(400).send({ error: 'until must be a date' });
        const types = b.object ? [objectDef(b.object)?.name].filter((x): x is string => !!x) : Object.keys(OBJECTS);
        let purged = 0;
        for (const t of types) purged += data.store(t).purge(until);
        return { purged };
      });
    },

    faultResponse: faultBody,
  };
}
