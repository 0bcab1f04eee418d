import type { FastifyInstance, FastifyReply, FastifyRequest, SandboxContext } from '../../core/types.ts';
import { GoogleApiError, invalidParameter } from '../errors.ts';
import { checkGoogleToken } from '../auth.ts';
import { takeClassicQuota } from '../rate-limits.ts';
import type { CalendarSync } from '../calendar-sync.ts';
import type { WatchChannels } from '../watch.ts';
import { eventJson, type Attendee, type CalendarStore, type EventFields, type EventRecord, type EventTime } from '../data/calendar-store.ts';

type Query = Record<string, string | undefined>;
type Obj = Record<string, unknown>;

const CALENDAR_API = 'https://www.googleapis.com/calendar/v3';

const notFound = () => new GoogleApiError(404, 'Not Found', { reason: 'notFound' });

function parseTime(value: unknown, which: 'start' | 'end'): EventTime {
  if (typeof value !== 'object' || value === null) throw new GoogleApiError(400, `Missing ${which} time.`, { reason: 'required' });
  const t = value as Obj;
  if (typeof t.dateTime === 'string' && !Number.isNaN(Date.parse(t.dateTime))) return { dateTime: t.dateTime, ...(typeof t.timeZone === 'string' ? { timeZone: t.timeZone } : {}) };
  if (typeof t.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(t.date)) return { date: t.date };
  throw new GoogleApiError(400, `Missing ${which} time.`, { reason: 'required' });
}

function parseAttendees(value: unknown): Attendee[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new GoogleApiError(400, 'Invalid attendees.', { reason: 'invalid' });
  return value.map((a) => {
    const o = (a ?? {}) as Obj;
    if (typeof o.email !== 'string' || !o.email.includes('@')) throw new GoogleApiError(400, 'Invalid attendee email.', { reason: 'invalid' });
    const status = ['needsAction', 'declined', 'tentative', 'accepted'].includes(String(o.responseStatus)) ? (o.responseStatus as Attendee['responseStatus']) : 'needsAction';
    return { email: o.email, ...(typeof o.displayName === 'string' ? { displayName: o.displayName } : {}), responseStatus: status };
  });
}

/** Reads event fields from a request body; `full` (insert/update) requires start and end. */
export function parseEventFields(body: Obj, full: boolean): Partial<EventFields> {
  const out: Partial<EventFields> = {};
  if (full || body.start !== undefined) out.start = parseTime(body.start, 'start');
  if (full || body.end !== undefined) out.end = parseTime(body.end, 'end');
  if (typeof body.summary === 'string') out.summary = body.summary;
  if (typeof body.description === 'string') out.description = body.description;
  if (typeof body.location === 'string') out.location = body.location;
  if (full || body.attendees !== undefined) out.attendees = parseAttendees(body.attendees);
  return out;
}

function normalizeEtag(value: string): string {
  return value.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** `If-Match` against the event's etag: 412 `conditionNotMet` when it differs. */
function checkIfMatch(request: FastifyRequest, event: EventRecord): void {
  const header = request.headers['if-match'];
  if (typeof header !== 'string' || header.trim() === '*') return;
  const wanted = header.split(',').map(normalizeEtag);
  if (!wanted.includes(normalizeEtag(event.etag))) {
    throw new GoogleApiError(412, 'Precondition Failed', { reason: 'conditionNotMet', location: 'If-Match', locationType: 'header' });
  }
}

/**
 * Calendar API v3 under `/calendar/v3`: events list (sync tokens, 410 when invalid),
 * get, insert, patch, update, delete (If-Match -> 412), `events/watch` and
 * `channels/stop`. Errors in the classic dialect.
 */
export function registerCalendarRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { store: CalendarStore; sync: CalendarSync; watch: WatchChannels; owner: () => { email: string; name: string } },
): void {
  const { store, sync, watch } = deps;
  const guard = (request: FastifyRequest) => {
    const grant = checkGoogleToken(ctx, request, 'classic', 'calendar-json.googleapis.com');
    takeClassicQuota(ctx, grant, 'calendar');
    return grant;
  };
  const calendarOf = (raw: string): string => {
    const id = decodeURIComponent(raw);
    if (id === 'primary' || id === deps.owner().email) return deps.owner().email;
    throw notFound();
  };
  const eventOf = (calendarId: string, raw: string): EventRecord => {
    const event = store.events.get(decodeURIComponent(raw));
    if (!event || event.calendarId !== calendarId) throw notFound();
    return event;
  };

  app.get('/calendar/v3/calendars/:calendarId/events', async (request) => {
    guard(request);
    const calendarId = calendarOf((request.params as { calendarId: string }).calendarId);
    const q = request.query as Query;
    if (q.syncToken !== undefined) {
      for (const p of ['timeMin', 'timeMax', 'updatedMin', 'q', 'orderBy', 'iCalUID']) {
        if (q[p] !== undefined) throw invalidParameter(p, `The ${p} parameter cannot be used together with syncToken.`);
      }
    }
    const maxResults = q.maxResults === undefined ? 250 : Number(q.maxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1) throw invalidParameter('maxResults');
    const time = (name: 'timeMin' | 'timeMax' | 'updatedMin') => {
      const v = q[name];
      if (v === undefined) return null;
      const t = Date.parse(v);
      if (Number.isNaN(t)) throw invalidParameter(name, 'Bad Request');
      return t;
    };
    const page = sync.list(calendarId, {
      maxResults: Math.min(maxResults, 2500),
      pageToken: q.pageToken,
      syncToken: q.syncToken,
      showDeleted: q.showDeleted === 'true',
      timeMin: time('timeMin'),
      timeMax: time('timeMax'),
      updatedMin: time('updatedMin'),
    });
    const owner = deps.owner();
    const body: Obj = {
      kind: 'calendar#events',
      etag: `"p3${store.seq.toString().padStart(14, '0')}"`,
      summary: owner.email,
      description: '',
      updated: new Date(ctx.clock.now()).toISOString(),
      timeZone: 'UTC',
      accessRole: 'owner',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
    };
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    if (page.nextSyncToken) body.nextSyncToken = page.nextSyncToken;
    body.items = page.items.map((e) => eventJson(e, owner.email));
    return body;
  });

  app.post('/calendar/v3/calendars/:calendarId/events/watch', async (request) => {
    const grant = guard(request);
    const calendarId = calendarOf((request.params as { calendarId: string }).calendarId);
    const channel = watch.open(
      (request.body ?? {}) as Obj,
      { api: 'calendar', calendarId },
      `${CALENDAR_API}/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      grant.account,
    );
    return watch.channelJson(channel);
  });

  app.post('/calendar/v3/channels/stop', async (request, reply: FastifyReply) => {
    guard(request);
    const body = (request.body ?? {}) as Obj;
    if (!watch.stop(body.id, body.resourceId)) {
      throw new GoogleApiError(404, `Channel '${String(body.id)}' not found for project '000000000000'`, { reason: 'notFound' });
    }
    return reply.code(204).send();
  });

  app.get('/calendar/v3/calendars/:calendarId/events/:eventId', async (request) => {
    guard(request);
    const p = request.params as { calendarId: string; eventId: string };
    return eventJson(eventOf(calendarOf(p.calendarId), p.eventId), deps.owner().email);
  });

  app.post('/calendar/v3/calendars/:calendarId/events', async (request) => {
    guard(request);
    const calendarId = calendarOf((request.params as { calendarId: string }).calendarId);
    const body = (request.body ?? {}) as Obj;
    const fields = parseEventFields(body, true) as EventFields;
    let id: string | undefined;
    if (body.id !== undefined) {
      if (typeof body.id !== 'string' || !/^[a-v0-9]{5,1024}$/.test(body.id)) throw new GoogleApiError(400, 'Invalid resource id value.', { reason: 'invalid' });
      if (store.events.has(body.id)) throw new GoogleApiError(409, 'The requested identifier already exists.', { reason: 'duplicate' });
      id = body.id;
    }
    if (Date.parse(fields.end.dateTime ?? fields.end.date ?? '') < Date.parse(fields.start.dateTime ?? fields.start.date ?? '')) {
      throw new GoogleApiError(400, 'The specified time range is empty.', { reason: 'timeRangeEmpty', location: 'end.dateTime', locationType: 'parameter' });
    }
    return eventJson(store.insert(calendarId, fields, id ? { id } : {}), deps.owner().email);
  });

  const write = (full: boolean) => async (request: FastifyRequest) => {
    guard(request);
    const p = request.params as { calendarId: string; eventId: string };
    const event = eventOf(calendarOf(p.calendarId), p.eventId);
    checkIfMatch(request, event);
    const fields = parseEventFields((request.body ?? {}) as Obj, full);
    return eventJson(store.update(event, fields), deps.owner().email);
  };
  app.patch('/calendar/v3/calendars/:calendarId/events/:eventId', write(false));
  app.put('/calendar/v3/calendars/:calendarId/events/:eventId', write(true));

  app.delete('/calendar/v3/calendars/:calendarId/events/:eventId', async (request, reply) => {
    guard(request);
    const p = request.params as { calendarId: string; eventId: string };
    const event = eventOf(calendarOf(p.calendarId), p.eventId);
    if (event.status === 'cancelled') throw new GoogleApiError(410, 'Resource has been deleted', { reason: 'deleted' });
    checkIfMatch(request, event);
    store.cancel(event);
    return reply.code(204).send();
  });
}
