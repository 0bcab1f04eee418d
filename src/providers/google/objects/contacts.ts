/**
 * Google Contacts through the People API: `people/me/connections` with
 * `requestSyncToken=true`, pageSize up to 1000. The cursor is
 * `{syncToken?, pageToken?}`: within a run the page token (with the sync token the run
 * started from, because People wants every parameter of a paged call repeated), at the
 * end the `nextSyncToken` of the last page. Deleted contacts come back on incremental
 * runs with `metadata.deleted: true` (tombstones). An expired sync token (7 days after
 * the full sync) is classified as CURSOR_EXPIRED by errors.ts.
 *
 * Writes: createContact, updateContact (the body carries the etag: a stale one answers
 * 400 FAILED_PRECONDITION, classified CONFLICT on writes), deleteContact.
 */
import type { ChangePage, Cursor, ExternalRecord, ObjectDefinition, ProviderContext } from '../../provider.ts';
import { PEOPLE, PEOPLE_API, googleCall, stringSetting } from '../client.ts';
import { isGoogleGone } from '../errors.ts';

/** What we read of a person (settings.personFields overrides). */
export const DEFAULT_PERSON_FIELDS = 'names,emailAddresses,phoneNumbers,organizations,addresses,biographies,urls,metadata';
/** Person fields updateContact accepts in `updatePersonFields`. */
const UPDATABLE = new Set([
  'addresses', 'biographies', 'birthdays', 'calendarUrls', 'clientData', 'emailAddresses', 'events', 'externalIds', 'genders', 'imClients',
  'interests', 'locales', 'locations', 'memberships', 'miscKeywords', 'names', 'nicknames', 'occupations', 'organizations', 'phoneNumbers',
  'relations', 'sipAddresses', 'urls', 'userDefined',
]);

export interface GoogleSyncCursor extends Cursor {
  syncToken?: string;
  pageToken?: string;
}

type Person = Record<string, unknown> & { resourceName: string; etag?: string; metadata?: { deleted?: boolean; sources?: { updateTime?: string }[] } };

function resourceName(id: string): string {
  return id.startsWith('people/') ? id : `people/${id}`;
}

function updatedAt(person: Person): string | null {
  const times = (person.metadata?.sources ?? []).map((s) => s.updateTime).filter((t): t is string => typeof t === 'string');
  return times.sort().at(-1) ?? null;
}

export function personRecord(person: Person): ExternalRecord {
  return { id: person.resourceName, version: person.etag ?? null, modifiedAt: updatedAt(person), data: person };
}

function personFields(ctx: ProviderContext): string {
  return stringSetting(ctx, 'personFields', DEFAULT_PERSON_FIELDS);
}

export const contactsObject: ObjectDefinition = {
  name: 'contacts',
  label: 'Contacts',
  capabilities: { incremental: true, deletions: 'tombstones', create: true, update: true, delete: true, batch: false, webhooks: false, precondition: 'etag' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const state = (cursor ?? {}) as GoogleSyncCursor;
    const answer = await googleCall<{ connections?: Person[]; nextPageToken?: string; nextSyncToken?: string; totalItems?: number }>(ctx, {
      method: 'GET',
      api: PEOPLE,
      path: `${PEOPLE_API}people/me/connections`,
      query: {
        personFields: personFields(ctx),
        pageSize: Math.min(options.pageSize ?? 1000, 1000),
        requestSyncToken: true,
        syncToken: state.syncToken,
        pageToken: state.pageToken,
      },
      operation: 'read',
    });
    const page: ChangePage = { records: [], deletions: [], cursor: {}, done: false };
    for (const person of answer.connections ?? []) {
      if (person.metadata?.deleted === true) page.deletions.push({ id: person.resourceName, deletedAt: updatedAt(person) });
      else page.records.push(personRecord(person));
    }
    if (typeof answer.totalItems === 'number') page.total = answer.totalItems;
    if (answer.nextPageToken) {
      const next: GoogleSyncCursor = { pageToken: answer.nextPageToken };
      if (state.syncToken) next.syncToken = state.syncToken;
      page.cursor = next;
      return page;
    }
    // No sync token on the last page (should not happen): the next run is a full sync.
    page.cursor = answer.nextSyncToken ? ({ syncToken: answer.nextSyncToken } satisfies GoogleSyncCursor) : {};
    page.done = true;
    return page;
  },

  async fetchOne(ctx, id) {
    try {
      const person = await googleCall<Person>(ctx, { method: 'GET', api: PEOPLE, path: `${PEOPLE_API}${resourceName(id)}`, query: { personFields: personFields(ctx) }, operation: 'read' });
      return personRecord(person);
    } catch (error) {
      if (isGoogleGone(error)) return null;
      throw error;
    }
  },

  /** `data` is a People `Person` (names, emailAddresses, phoneNumbers, ...). */
  async create(ctx, data) {
    const person = await googleCall<Person>(ctx, {
      method: 'POST',
      api: PEOPLE,
      path: `${PEOPLE_API}people:createContact`,
      query: { personFields: personFields(ctx) },
      body: data,
      operation: 'write',
    });
    return personRecord(person);
  },

  /**
   * Replaces the person fields present in `patch` (`updatePersonFields` is their names).
   * With `expectedVersion` the etag is the caller's (stale -> CONFLICT); without it the
   * current etag is read first (last writer wins).
   */
  async update(ctx, id, patch, options) {
    const name = resourceName(id);
    const fields = Object.keys(patch).filter((k) => UPDATABLE.has(k));
    let etag = options?.expectedVersion ?? (typeof patch.etag === 'string' ? patch.etag : null);
    if (etag === null) {
      const current = await googleCall<Person>(ctx, { method: 'GET', api: PEOPLE, path: `${PEOPLE_API}${name}`, query: { personFields: 'metadata' }, operation: 'read' });
      etag = current.etag ?? null;
    }
    const person = await googleCall<Person>(ctx, {
      method: 'PATCH',
      api: PEOPLE,
      path: `${PEOPLE_API}${name}:updateContact`,
      query: { updatePersonFields: fields.join(','), personFields: personFields(ctx) },
      body: { ...patch, resourceName: name, etag },
      operation: 'write',
    });
    return personRecord(person);
  },

  /** Deleting a contact that is already gone succeeds (deletes are idempotent). */
  async delete(ctx, id) {
    try {
      await googleCall(ctx, { method: 'DELETE', api: PEOPLE, path: `${PEOPLE_API}${resourceName(id)}:deleteContact`, operation: 'write' });
    } catch (error) {
      if (!isGoogleGone(error)) throw error;
    }
  },
};
