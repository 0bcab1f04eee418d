/**
 * The Google simulator under `/google`: People (`/google/v1/people/...`), Calendar
 * (`/google/calendar/v3/...`), Drive (`/google/drive/v3/...`) and OAuth
 * (`/google/o/oauth2/v2/auth`, `/google/token`, `/google/revoke`). See
 * /work/shared/providers.md §5 for the facts it follows.
 */
import type { FastifyError } from 'fastify';
import type { FastifyInstance, FastifyReply, IssuedTokens, ProviderSimulator, SandboxContext } from '../core/types.ts';
import { googleIssueOptions, registerGoogleOAuth } from './auth.ts';
import { CALENDAR_SYNC_TOKEN_TTL_MS, CalendarSync } from './calendar-sync.ts';
import { googleRecordControl, registerGoogleControl, type GoogleParts } from './control.ts';
import { GoogleApiError, googleFaultResponse, sendGoogleError, type GoogleErrorStyle } from './errors.ts';
import { GoogleIds } from './ids.ts';
import { PeopleSync } from './people-sync.ts';
import { ServiceAccounts } from './service-accounts.ts';
import { WatchChannels } from './watch.ts';
import { CalendarStore } from './data/calendar-store.ts';
import { DriveStore } from './data/drive-store.ts';
import { PeopleStore } from './data/people-store.ts';
import { seedGoogle, type GoogleOwner } from './data/seed.ts';
import { registerCalendarRoutes } from './routes/calendar.ts';
import { registerDriveRoutes } from './routes/drive.ts';
import { registerPeopleRoutes } from './routes/people.ts';

export { GOOGLE_CONTACT_COVERAGE } from './data/seed.ts';
export { GOOGLE_QUOTAS } from './rate-limits.ts';
export { PEOPLE_SYNC_TOKEN_TTL_MS } from './people-sync.ts';
export { CALENDAR_SYNC_TOKEN_TTL_MS } from './calendar-sync.ts';
export { CHANNEL_TTL_MS } from './watch.ts';

export interface GoogleSimulatorOptions {
  /** Lifetime of a Calendar sync token (Google does not publish one); default 7 days. */
  calendarSyncTokenTtlMs?: number;
}

interface GoogleState {
  ids: GoogleIds;
  people: PeopleStore;
  peopleSync: PeopleSync;
  calendar: CalendarStore;
  calendarSync: CalendarSync;
  drive: DriveStore;
  watch: WatchChannels;
  serviceAccounts: ServiceAccounts;
  owner: GoogleOwner;
  seeded: boolean;
}

function errorHandler(style: GoogleErrorStyle) {
  return (error: FastifyError, _request: unknown, reply: FastifyReply) => {
    if (error instanceof GoogleApiError) return sendGoogleError(reply, error, style);
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'Invalid JSON payload received.' : error.message;
      return sendGoogleError(reply, new GoogleApiError(400, message, { reason: 'parseError', status: 'INVALID_ARGUMENT' }), style);
    }
    return sendGoogleError(reply, new GoogleApiError(500, 'Internal error encountered.', { reason: 'backendError', status: 'INTERNAL' }), style);
  };
}

/** A fresh Google simulator (one user account), for `createSandbox({ providers })`. */
export function createGoogleSimulator(options: GoogleSimulatorOptions = {}): ProviderSimulator {
  let state: GoogleState | null = null;
  const ensure = (ctx: SandboxContext): GoogleState => {
    if (state) return state;
    const now = () => ctx.clock.now();
    const ids = new GoogleIds(ctx.rng('google:ids'));
    const people = new PeopleStore(new GoogleIds(ctx.rng('google:people')), now);
    const calendar = new CalendarStore(new GoogleIds(ctx.rng('google:calendar')), now);
    const drive = new DriveStore(new GoogleIds(ctx.rng('google:drive')), now);
    const watch = new WatchChannels(ctx, new GoogleIds(ctx.rng('google:watch')));
    const s: GoogleState = {
      ids,
      people,
      peopleSync: new PeopleSync(new GoogleIds(ctx.rng('google:people-sync')), people, now),
      calendar,
      calendarSync: new CalendarSync(new GoogleIds(ctx.rng('google:calendar-sync')), calendar, now, options.calendarSyncTokenTtlMs ?? CALENDAR_SYNC_TOKEN_TTL_MS),
      drive,
      watch,
      serviceAccounts: new ServiceAccounts(),
      owner: { email: 'owner@example.com', name: 'Sandbox Owner' },
      seeded: false,
    };
    calendar.onChange((event) => watch.changed({ api: 'calendar', calendarId: event.calendarId }));
    drive.onChange(() => watch.changed({ api: 'drive' }));
    state = s;
    return s;
  };
  const seed = (ctx: SandboxContext): GoogleState => {
    const s = ensure(ctx);
    s.ids = new GoogleIds(ctx.rng('google:ids'));
    s.people.reset(new GoogleIds(ctx.rng('google:people')));
    s.peopleSync.reset(new GoogleIds(ctx.rng('google:people-sync')));
    s.calendar.reset(new GoogleIds(ctx.rng('google:calendar')));
    s.calendarSync.reset(new GoogleIds(ctx.rng('google:calendar-sync')));
    s.drive.reset(new GoogleIds(ctx.rng('google:drive')));
    s.watch.reset(new GoogleIds(ctx.rng('google:watch')));
    s.serviceAccounts.reset();
    s.owner = seedGoogle(ctx, { people: s.people, calendar: s.calendar, drive: s.drive });
    s.seeded = true;
    return s;
  };
  const current = (): GoogleState => {
    if (!state) throw new Error('the Google simulator has not been seeded');
    return state;
  };
  const parts = (): GoogleParts => {
    const s = current();
    return { people: s.people, calendar: s.calendar, drive: s.drive, owner: () => s.owner };
  };

  return {
    name: 'google',
    seed(ctx) {
      seed(ctx);
    },
    async register(app: FastifyInstance, ctx: SandboxContext) {
      const s = ensure(ctx);
      const owner = () => s.owner;
      // Google's answer to a body that is not JSON: 400 "Invalid JSON payload received."
      app.removeContentTypeParser('application/json');
      app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
        const text = (body as string).trim();
        if (text === '') return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch (error) {
          done(new GoogleApiError(400, `Invalid JSON payload received. ${(error as Error).message}`, { reason: 'parseError', status: 'INVALID_ARGUMENT' }), undefined);
        }
      });
      app.setNotFoundHandler((_request, reply) => sendGoogleError(reply, new GoogleApiError(404, 'Not Found', { reason: 'notFound', status: 'NOT_FOUND' }), 'classic'));
      await app.register(async (oauth) => {
        registerGoogleOAuth(oauth, ctx, { account: () => s.owner.email, serviceAccounts: s.serviceAccounts });
      });
      await app.register(async (api) => {
        api.setErrorHandler(errorHandler('v1'));
        registerPeopleRoutes(api, ctx, { store: s.people, sync: s.peopleSync, owner });
      });
      await app.register(async (api) => {
        api.setErrorHandler(errorHandler('classic'));
        registerCalendarRoutes(api, ctx, { store: s.calendar, sync: s.calendarSync, watch: s.watch, owner });
        registerDriveRoutes(api, ctx, { store: s.drive, ids: () => s.ids, watch: s.watch, owner });
      });
    },
    control: googleRecordControl(parts),
    mint(ctx, input): IssuedTokens {
      const s = state?.seeded ? state : seed(ctx);
      const scopes = input.scopes ?? [
        'https://www.googleapis.com/auth/contacts',
        'https://www.googleapis.com/auth/calendar',
        'https://www.googleapis.com/auth/drive',
      ];
      const client = ctx.tokens.clients('google')[0];
      return ctx.tokens.issue(
        { provider: 'google', clientId: client?.clientId ?? 'sandbox-google-client', account: input.account ?? s.owner.email, scopes, extra: {} },
        { ...googleIssueOptions(), accessSeconds: input.accessSeconds ?? googleIssueOptions().accessSeconds },
      );
    },
    registerControl(app, ctx) {
      const s = ensure(ctx);
      registerGoogleControl(app, ctx, { parts, serviceAccounts: s.serviceAccounts, calendarSync: () => current().calendarSync, watch: () => current().watch });
    },
    faultResponse: googleFaultResponse,
  };
}
