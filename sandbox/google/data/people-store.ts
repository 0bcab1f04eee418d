import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { GoogleIds } from '../ids.ts';

export interface ContactName {
  givenName: string;
  familyName: string;
}
export interface ContactEmail {
  value: string;
  type: string;
}
export interface ContactPhone {
  value: string;
  type: string;
}
export interface ContactOrganization {
  name: string | null;
  title: string | null;
}

/** The fields of a contact the simulator keeps (People's `Person` subset a sync uses). */
export interface ContactFields {
  names: ContactName[];
  emailAddresses: ContactEmail[];
  phoneNumbers: ContactPhone[];
  organizations: ContactOrganization[];
}

export interface ContactRecord extends ContactFields {
  /** `people/c…`. */
  resourceName: string;
  sourceId: string;
  etag: string;
  /** Creation order (stable walk order) and change sequence (sync tokens). */
  order: number;
  seq: number;
  updatedAt: number;
  deleted: boolean;
}

export const PERSON_FIELDS = ['names', 'emailAddresses', 'phoneNumbers', 'organizations', 'metadata'] as const;
export type PersonField = (typeof PERSON_FIELDS)[number];

/** Every person field the real API accepts in `personFields`; the simulator keeps the first five. */
export const KNOWN_PERSON_FIELDS = new Set<string>([
  ...PERSON_FIELDS,
  'addresses',
  'ageRanges',
  'biographies',
  'birthdays',
  'calendarUrls',
  'clientData',
  'coverPhotos',
  'events',
  'externalIds',
  'genders',
  'imClients',
  'interests',
  'locales',
  'locations',
  'memberships',
  'miscKeywords',
  'nicknames',
  'occupations',
  'photos',
  'relations',
  'sipAddresses',
  'skills',
  'urls',
  'userDefined',
]);

const canonicalCache = new Map<string, string | null>();

/** E.164 form of a phone value as People's `canonicalForm` (US as the default region), memoised. */
function canonicalForm(value: string): string | null {
  let hit = canonicalCache.get(value);
  if (hit === undefined) {
    const parsed = parsePhoneNumberFromString(value, 'US');
    hit = parsed?.isValid() ? parsed.number : null;
    if (canonicalCache.size > 200_000) canonicalCache.clear();
    canonicalCache.set(value, hit);
  }
  return hit;
}

function formatted(type: string): string {
  return type.charAt(0).toUpperCase() + type.slice(1);
}

/**
 * A contact in People's shape: `resourceName`, `etag`, then the fields in `fields`
 * (each item with its `metadata.source`); a deleted contact shows `metadata.deleted: true`.
 */
export function personJson(contact: ContactRecord, fields: ReadonlySet<string>): Record<string, unknown> {
  const source = { type: 'CONTACT', id: contact.sourceId };
  const meta = (i: number) => ({ primary: i === 0, source });
  const out: Record<string, unknown> = { resourceName: contact.resourceName, etag: contact.etag };
  if (contact.deleted) {
    out.metadata = { deleted: true, sources: [{ ...source, etag: contact.etag, updateTime: new Date(contact.updatedAt).toISOString() }], objectType: 'PERSON' };
    return out;
  }
  if (fields.has('metadata')) {
    out.metadata = { sources: [{ ...source, etag: contact.etag, updateTime: new Date(contact.updatedAt).toISOString() }], objectType: 'PERSON' };
  }
  if (fields.has('names') && contact.names.length > 0) {
    out.names = contact.names.map((n, i) => {
      const display = [n.givenName, n.familyName].filter(Boolean).join(' ');
      return {
        metadata: meta(i),
        displayName: display,
        familyName: n.familyName || undefined,
        givenName: n.givenName || undefined,
        displayNameLastFirst: n.familyName ? `${n.familyName}, ${n.givenName}`.replace(/, $/, '') : n.givenName,
        unstructuredName: display,
      };
    });
  }
  if (fields.has('emailAddresses') && contact.emailAddresses.length > 0) {
    out.emailAddresses = contact.emailAddresses.map((e, i) => ({ metadata: meta(i), value: e.value, type: e.type, formattedType: formatted(e.type) }));
  }
  if (fields.has('phoneNumbers') && contact.phoneNumbers.length > 0) {
    out.phoneNumbers = contact.phoneNumbers.map((p, i) => {
      const canonical = canonicalForm(p.value);
      return {
        metadata: meta(i),
        value: p.value,
        ...(canonical ? { canonicalForm: canonical } : {}),
        type: p.type,
        formattedType: formatted(p.type),
      };
    });
  }
  if (fields.has('organizations') && contact.organizations.length > 0) {
    out.organizations = contact.organizations.map((o, i) => ({
      metadata: meta(i),
      ...(o.name ? { name: o.name } : {}),
      ...(o.title ? { title: o.title } : {}),
    }));
  }
  return out;
}

/**
 * The user's contacts with a change sequence: every create, update and delete takes the
 * next `seq`, and deletes leave a tombstone, which is what sync tokens read.
 */
export class PeopleStore {
  readonly contacts = new Map<string, ContactRecord>();
  /** Every contact ever created (tombstones too), in creation order. */
  readonly ordered: ContactRecord[] = [];
  private seqCounter = 0;
  private orderCounter = 0;
  private readonly listeners: ((contact: ContactRecord) => void)[] = [];

  constructor(
    public ids: GoogleIds,
    private readonly now: () => number,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.contacts.clear();
    this.ordered.length = 0;
    this.seqCounter = 0;
    this.orderCounter = 0;
  }

  onChange(listener: (contact: ContactRecord) => void): void {
    this.listeners.push(listener);
  }

  /** The sequence number of the latest change (a sync token taken now covers up to here). */
  get seq(): number {
    return this.seqCounter;
  }

  /** The creation number of the newest contact (a full sync walks up to here). */
  get lastOrder(): number {
    return this.orderCounter;
  }

  get(resourceName: string): ContactRecord | undefined {
    return this.contacts.get(resourceName);
  }

  create(fields: ContactFields, at = this.now()): ContactRecord {
    let resourceName = `people/${this.ids.contactId()}`;
    while (this.contacts.has(resourceName)) resourceName = `people/${this.ids.contactId()}`;
    const contact: ContactRecord = {
      ...fields,
      resourceName,
      sourceId: this.ids.sourceId(),
      etag: this.ids.personEtag(),
      order: ++this.orderCounter,
      seq: ++this.seqCounter,
      updatedAt: at,
      deleted: false,
    };
    this.contacts.set(resourceName, contact);
    this.ordered.push(contact);
    this.emit(contact);
    return contact;
  }

  update(contact: ContactRecord, fields: Partial<ContactFields>): ContactRecord {
    Object.assign(contact, fields);
    contact.etag = this.ids.personEtag();
    contact.seq = ++this.seqCounter;
    contact.updatedAt = this.now();
    this.emit(contact);
    return contact;
  }

  remove(contact: ContactRecord): void {
    contact.deleted = true;
    contact.etag = this.ids.personEtag();
    contact.seq = ++this.seqCounter;
    contact.updatedAt = this.now();
    this.emit(contact);
  }

  /** Live contacts in creation order. */
  live(): ContactRecord[] {
    return this.ordered.filter((c) => !c.deleted);
  }

  private emit(contact: ContactRecord): void {
    for (const listener of this.listeners) listener(contact);
  }
}
