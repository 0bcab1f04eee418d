import { SandboxHttpError } from '../core/errors.ts';
import type { FastifyInstance, RecordControl, SandboxContext } from '../core/types.ts';
import type { CalendarSync } from './calendar-sync.ts';
import type { ServiceAccounts } from './service-accounts.ts';
import type { WatchChannels } from './watch.ts';
import { eventJson, type CalendarStore, type EventFields } from './data/calendar-store.ts';
import { fileJson, type DriveStore } from './data/drive-store.ts';
import { PERSON_FIELDS, personJson, type ContactFields, type PeopleStore } from './data/people-store.ts';
import { parseEventFields } from './routes/calendar.ts';
import { parsePerson } from './routes/people.ts';

export interface GoogleParts {
  people: PeopleStore;
  calendar: CalendarStore;
  drive: DriveStore;
  owner: () => { email: string; name: string };
}

type Obj = Record<string, unknown>;
const ALL_FIELDS = new Set<string>(PERSON_FIELDS);

/** Plain control fields (`givenName`, `email`, ...) or People-shaped ones, to contact fields. */
function contactFields(fields: Obj, existing?: ContactFields): Partial<ContactFields> {
  const shaped = parsePerson(fields, new Set(Object.keys(fields)));
  const out: Partial<ContactFields> = { ...shaped };
  const name = existing?.names[0] ?? { givenName: '', familyName: '' };
  if (typeof fields.givenName === 'string' || typeof fields.familyName === 'string') {
    out.names = [{ givenName: typeof fields.givenName === 'string' ? fields.givenName : name.givenName, familyName: typeof fields.familyName === 'string' ? fields.familyName : name.familyName }];
  }
  if (typeof fields.email === 'string') out.emailAddresses = [{ value: fields.email, type: 'work' }];
  if (typeof fields.phone === 'string') out.phoneNumbers = [{ value: fields.phone, type: 'mobile' }];
  if (typeof fields.company === 'string' || typeof fields.title === 'string') {
    const org = existing?.organizations[0] ?? { name: null, title: null };
    out.organizations = [{ name: typeof fields.company === 'string' ? fields.company : org.name, title: typeof fields.title === 'string' ? fields.title : org.title }];
  }
  return out;
}

/** Plain event fields: `start`/`end` may be ISO strings, `attendees` plain emails. */
function eventFields(fields: Obj, full: boolean): Partial<EventFields> {
  const normal: Obj = { ...fields };
  for (const k of ['start', 'end']) if (typeof normal[k] === 'string') normal[k] = { dateTime: normal[k] };
  if (Array.isArray(normal.attendees)) normal.attendees = normal.attendees.map((a) => (typeof a === 'string' ? { email: a } : a));
  return parseEventFields(normal, full);
}

/**
 * User-level edits: `contacts` (as in Google Contacts), `events` (primary calendar;
 * remove cancels) and `files` (Drive; `trashed: true` trashes, remove deletes for good).
 * Each edit moves sync tokens / the change log and notifies watch channels.
 */
export function googleRecordControl(parts: () => GoogleParts): RecordControl {
  const unknown = (object: string) => new SandboxHttpError(404, `unknown Google object "${object}"; use contacts, events, files`);
  return {
    objects: () => ['contacts', 'events', 'files'],
    list(object, { limit, offset }) {
      const p = parts();
      const owner = p.owner();
      if (object === 'contacts') {
        const all = p.people.live();
        return { total: all.length, records: all.slice(offset, offset + limit).map((c) => personJson(c, ALL_FIELDS)) };
      }
      if (object === 'events') {
        const all = p.calendar.eventsOf(owner.email);
        return { total: all.length, records: all.slice(offset, offset + limit).map((e) => eventJson(e, owner.email)) };
      }
      if (object === 'files') {
        const all = [...p.drive.files.values()].filter((f) => !f.deleted);
        return { total: all.length, records: all.slice(offset, offset + limit).map((f) => fileJson(f, owner)) };
      }
      throw unknown(object);
    },
    create(object, fields) {
      const p = parts();
      const owner = p.owner();
      if (object === 'contacts') {
        const f = contactFields(fields);
        return personJson(p.people.create({ names: f.names ?? [], emailAddresses: f.emailAddresses ?? [], phoneNumbers: f.phoneNumbers ?? [], organizations: f.organizations ?? [] }), ALL_FIELDS);
      }
      if (object === 'events') return eventJson(p.calendar.insert(owner.email, eventFields(fields, true) as EventFields), owner.email);
      if (object === 'files') {
        if (typeof fields.name !== 'string') throw new SandboxHttpError(400, 'name is required');
        const file = p.drive.create({ name: fields.name, mimeType: typeof fields.mimeType === 'string' ? fields.mimeType : 'application/vnd.google-apps.document', size: typeof fields.size === 'number' ? fields.size : null });
        return fileJson(file, owner);
      }
      throw unknown(object);
    },
    update(object, id, fields) {
      const p = parts();
      const owner = p.owner();
      if (object === 'contacts') {
        const contact = p.people.get(id.startsWith('people/') ? id : `people/${id}`);
        if (!contact || contact.deleted) throw new SandboxHttpError(404, `no contact ${id}`);
        return personJson(p.people.update(contact, contactFields(fields, contact)), ALL_FIELDS);
      }
      if (object === 'events') {
        const event = p.calendar.events.get(id);
        if (!event) throw new SandboxHttpError(404, `no event ${id}`);
        return eventJson(p.calendar.update(event, eventFields(fields, false)), owner.email);
      }
      if (object === 'files') {
        const file = p.drive.files.get(id);
        if (!file || file.deleted) throw new SandboxHttpError(404, `no file ${id}`);
        const change: { name?: string; trashed?: boolean; mimeType?: string } = {};
        if (typeof fields.name === 'string') change.name = fields.name;
        if (typeof fields.trashed === 'boolean') change.trashed = fields.trashed;
        if (typeof fields.mimeType === 'string') change.mimeType = fields.mimeType;
        return fileJson(p.drive.update(file, change), owner);
      }
      throw unknown(object);
    },
    remove(object, id) {
      const p = parts();
      if (object === 'contacts') {
        const contact = p.people.get(id.startsWith('people/') ? id : `people/${id}`);
        if (!contact || contact.deleted) return false;
        p.people.remove(contact);
        return true;
      }
      if (object === 'events') {
        const event = p.calendar.events.get(id);
        if (!event || event.status === 'cancelled') return false;
        p.calendar.cancel(event);
        return true;
      }
      if (object === 'files') {
        const file = p.drive.files.get(id);
        if (!file || file.deleted) return false;
        p.drive.remove(file);
        return true;
      }
      throw unknown(object);
    },
  };
}

/**
 * Control routes under `/_sandbox/google/`:
 * - `POST service-accounts` creates a service account and answers its JSON key file
 *   (`private_key`, `client_email`, `token_uri`) for the JWT-bearer grant.
 * - `POST calendar/invalidate-sync-tokens` makes every Calendar sync token answer 410.
 * - `GET channels` lists open watch channels; `GET info` the account and counts.
 */
export function registerGoogleControl(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { parts: () => GoogleParts; serviceAccounts: ServiceAccounts; calendarSync: () => CalendarSync; watch: () => WatchChannels },
): void {
  app.post('/service-accounts', async (_request, reply) => reply.code(201).send(await deps.serviceAccounts.create(`${ctx.options.baseUrl}/google/token`)));
  app.post('/calendar/invalidate-sync-tokens', async () => ({ invalidated: deps.calendarSync().invalidateAll() }));
  app.get('/channels', async () => ({ channels: [...deps.watch().channels.values()].map((c) => ({ ...deps.watch().channelJson(c), address: c.address, api: c.target.api })) }));
  app.get('/info', async () => {
    const p = deps.parts();
    return {
      owner: p.owner(),
      contacts: p.people.live().length,
      events: p.calendar.eventsOf(p.owner().email).length,
      files: [...p.drive.files.values()].filter((f) => !f.deleted).length,
    };
  });
}
