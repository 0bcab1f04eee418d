import type { FastifyInstance, FastifyRequest, SandboxContext } from '../../core/types.ts';
import { GoogleApiError, invalidArgument } from '../errors.ts';
import { checkGoogleToken } from '../auth.ts';
import { takePeopleQuota } from '../rate-limits.ts';
import type { PeopleSync } from '../people-sync.ts';
import { KNOWN_PERSON_FIELDS, PERSON_FIELDS, personJson, type ContactFields, type PeopleStore } from '../data/people-store.ts';

type Query = Record<string, string | string[] | undefined>;
type Obj = Record<string, unknown>;

const UPDATABLE = new Set(['names', 'emailAddresses', 'phoneNumbers', 'organizations']);

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** `personFields`, required on reads: 400 INVALID_ARGUMENT when missing or unknown. */
export function readPersonFields(raw: string | string[] | undefined, method: string, required = true): Set<string> {
  const fields = list(raw);
  if (fields.length === 0) {
    if (!required) return new Set(PERSON_FIELDS);
    throw invalidArgument(`personFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/${method}.`);
  }
  for (const f of fields) {
    const path = f.replace(/^person\./, '');
    if (!KNOWN_PERSON_FIELDS.has(path)) throw invalidArgument(`Invalid personFields mask path: "${f}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/${method}.`);
  }
  return new Set(fields.map((f) => f.replace(/^person\./, '')));
}

function array(value: unknown): Obj[] {
  return Array.isArray(value) ? value.filter((v): v is Obj => typeof v === 'object' && v !== null) : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Reads the simulator's person fields out of a request body (People's `Person`). */
export function parsePerson(body: Obj, only?: ReadonlySet<string>): Partial<ContactFields> {
  const out: Partial<ContactFields> = {};
  const want = (f: string) => !only || only.has(f);
  if (want('names')) out.names = array(body.names).map((n) => ({ givenName: str(n.givenName), familyName: str(n.familyName) }));
  if (want('emailAddresses')) {
    out.emailAddresses = array(body.emailAddresses).map((e, i) => {
      if (typeof e.value !== 'string' || e.value === '') throw invalidArgument(`Invalid person.email_addresses[${i}]: value is required.`);
      return { value: e.value, type: str(e.type) || 'other' };
    });
  }
  if (want('phoneNumbers')) {
    out.phoneNumbers = array(body.phoneNumbers).map((p, i) => {
      if (typeof p.value !== 'string' || p.value === '') throw invalidArgument(`Invalid person.phone_numbers[${i}]: value is required.`);
      return { value: p.value, type: str(p.type) || 'other' };
    });
  }
  if (want('organizations')) out.organizations = array(body.organizations).map((o) => ({ name: str(o.name) || null, title: str(o.title) || null }));
  return out;
}

function splitName(raw: string): { id: string; action: string | null } {
  const colon = raw.indexOf(':');
  return colon < 0 ? { id: raw, action: null } : { id: raw.slice(0, colon), action: raw.slice(colon + 1) };
}

const notFound = () => new GoogleApiError(404, 'Requested entity was not found.', { status: 'NOT_FOUND' });

/**
 * People API (v1) under `/v1`: `people/me/connections` (list with sync tokens),
 * `people/{id}` (get), `people:batchGet`, `people:createContact`,
 * `people/{id}:updateContact` (etag required; stale -> 400 FAILED_PRECONDITION) and
 * `people/{id}:deleteContact`. Errors in the v1 dialect.
 */
export function registerPeopleRoutes(
  app: FastifyInstance,
  ctx: SandboxContext,
  deps: { store: PeopleStore; sync: PeopleSync; owner: () => { email: string; name: string } },
): void {
  const { store, sync } = deps;
  const guard = (request: FastifyRequest, write: boolean) => {
    const grant = checkGoogleToken(ctx, request, 'v1', 'people.googleapis.com');
    takePeopleQuota(ctx, grant, write);
    return grant;
  };

  app.get('/v1/people/me/connections', async (request) => {
    guard(request, false);
    const q = request.query as Query;
    const fields = readPersonFields(q.personFields, 'connections/list');
    const rawSize = one(q.pageSize);
    const pageSize = rawSize === undefined || rawSize === '0' ? 100 : Number(rawSize);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) throw invalidArgument('Page size must be between 1 and 1000.');
    const requestSyncToken = one(q.requestSyncToken) === 'true';
    const syncToken = one(q.syncToken);
    const signature = JSON.stringify({ fields: [...fields].sort(), requestSyncToken, syncToken: syncToken ?? null, sortOrder: one(q.sortOrder) ?? null });
    const page = sync.list({ pageSize, pageToken: one(q.pageToken), syncToken, requestSyncToken, signature });
    const body: Obj = { connections: page.items.map((c) => personJson(c, fields)), totalPeople: page.totalItems, totalItems: page.totalItems };
    if (page.items.length === 0) delete body.connections;
    if (page.nextPageToken) body.nextPageToken = page.nextPageToken;
    if (page.nextSyncToken) body.nextSyncToken = page.nextSyncToken;
    return body;
  });

  app.get('/v1/people::batchGet', async (request) => {
    guard(request, false);
    const q = request.query as Query;
    const fields = readPersonFields(q.personFields, 'getBatchGet');
    const names = list(q.resourceNames);
    if (names.length === 0) throw invalidArgument('resourceNames must not be empty.');
    if (names.length > 200) throw invalidArgument('resourceNames must contain at most 200 items.');
    return {
      responses: names.map((name) => {
        const contact = store.get(name);
        if (!contact || contact.deleted) return { httpStatusCode: 404, requestedResourceName: name, status: { code: 5, message: 'Requested entity was not found.' } };
        return { httpStatusCode: 200, person: personJson(contact, fields), requestedResourceName: name, status: {} };
      }),
    };
  });

  app.post('/v1/people::createContact', async (request) => {
    guard(request, true);
    const q = request.query as Query;
    const fields = readPersonFields(q.personFields, 'createContact', false);
    const input = parsePerson((request.body ?? {}) as Obj);
    const contact = store.create({ names: input.names ?? [], emailAddresses: input.emailAddresses ?? [], phoneNumbers: input.phoneNumbers ?? [], organizations: input.organizations ?? [] });
    return personJson(contact, fields);
  });

  app.get('/v1/people/:name', async (request) => {
    guard(request, false);
    const { id, action } = splitName((request.params as { name: string }).name);
    if (action !== null) throw notFound();
    const q = request.query as Query;
    const fields = readPersonFields(q.personFields, 'get');
    if (id === 'me') {
      const owner = deps.owner();
      const [given, ...rest] = owner.name.split(' ');
      const me = { resourceName: 'people/me', etag: '%EgMBAgM=', sourceId: '0', names: [{ givenName: given ?? '', familyName: rest.join(' ') }], emailAddresses: [{ value: owner.email, type: 'account' }], phoneNumbers: [], organizations: [], order: 0, seq: 0, updatedAt: 0, deleted: false };
      return personJson(me, fields);
    }
    const contact = store.get(`people/${id}`);
    if (!contact || contact.deleted) throw notFound();
    return personJson(contact, fields);
  });

  app.patch('/v1/people/:name', async (request) => {
    guard(request, true);
    const { id, action } = splitName((request.params as { name: string }).name);
    if (action !== 'updateContact') throw notFound();
    const q = request.query as Query;
    const mask = list(q.updatePersonFields);
    if (mask.length === 0) {
      throw invalidArgument('updatePersonFields mask is required. Please specify one or more valid paths. Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.');
    }
    for (const f of mask) if (!UPDATABLE.has(f)) throw invalidArgument(`Invalid updatePersonFields mask path: "${f}". Valid paths are documented at https://developers.google.com/people/api/rest/v1/people/updateContact.`);
    const fields = readPersonFields(q.personFields, 'updateContact', false);
    const body = (request.body ?? {}) as Obj;
    const contact = store.get(`people/${id}`);
    if (!contact || contact.deleted) throw notFound();
    if (typeof body.etag !== 'string' || body.etag === '') throw invalidArgument('Request person.etag must be set.');
    if (body.etag !== contact.etag) {
      throw new GoogleApiError(400, 'Request person.etag is different than the current person.etag. Clear local cache and get the latest person.', { status: 'FAILED_PRECONDITION' });
    }
    store.update(contact, parsePerson(body, new Set(mask)));
    return personJson(contact, fields);
  });

  app.delete('/v1/people/:name', async (request) => {
    guard(request, true);
    const { id, action } = splitName((request.params as { name: string }).name);
    if (action !== 'deleteContact') throw notFound();
    const contact = store.get(`people/${id}`);
    if (!contact || contact.deleted) throw notFound();
    store.remove(contact);
    return {};
  });

}
