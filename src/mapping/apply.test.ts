import { describe, expect, it } from 'vitest';
import type { MappingDocument } from '../domain/mapping.ts';
import { applyInverse, applyMapping, compileMapping, invertMapping, previewMapping } from './index.ts';

const contactMapping: MappingDocument = {
  version: 3,
  source: { provider: 'salesforce', object: 'Contact' },
  targets: [
    {
      entityType: 'person',
      key: 'Id',
      version: 'SystemModstamp',
      tombstone: { source: 'IsDeleted' },
      fields: [
        { target: 'name', sources: ['FirstName', 'LastName'], transforms: [{ name: 'join_name' }] },
        { target: 'email', source: 'Email', transforms: [{ name: 'email' }], required: true },
        { target: 'phone', source: 'Phone', transforms: [{ name: 'phone_e164' }] },
        { target: 'birthday', source: 'Birthdate', transforms: [{ name: 'date' }] },
        { target: 'tier', source: 'Tier__c', default: 'Bronze' },
        { target: 'address.city', source: 'MailingCity', transforms: [{ name: 'trim' }] },
        { target: 'stage', source: 'Stage__c', transforms: [{ name: 'map_values', args: [{ A: 'active', I: 'inactive' }] }] },
        { target: 'company', source: 'Account.Name' },
        { target: 'notes', source: 'Description', transforms: [{ name: 'truncate', args: [10] }] },
        { target: 'tags', source: 'Tags[*].label' },
      ],
      relationships: [{ kind: 'works_at', toEntityType: 'organization', toObject: 'Account', via: 'AccountId' }],
    },
    {
      entityType: 'organization',
      object: 'Account',
      key: 'AccountId',
      optional: true,
      fields: [{ target: 'name', source: 'Account.Name' }],
    },
  ],
};

const record = {
  Id: '003xx',
  FirstName: 'Ada',
  LastName: 'Lovelace',
  Email: 'ADA@Example.com',
  Phone: '(415) 555-2671',
  Birthdate: '1815-12-10',
  MailingCity: ' London ',
  Stage__c: 'A',
  AccountId: '001xx',
  Account: { Name: 'Analytical Engines Ltd' },
  Description: 'Wrote the first program',
  Tags: [{ label: 'vip' }, { label: 'math' }],
  SystemModstamp: '2024-01-15T10:30:00.000+0000',
  IsDeleted: false,
};

describe('applyMapping', () => {
  it('maps a record into entities and relationships keyed by external references', () => {
    const result = applyMapping(contactMapping, record);
    expect(result.failed).toBe(false);
    expect(result.errors).toEqual([]);
    expect(result.entities).toEqual([
      {
        entityType: 'person',
        object: 'Contact',
        externalId: '003xx',
        target: 'person',
        remoteVersion: '2024-01-15T10:30:00.000+0000',
        deleted: false,
        fields: {
          name: 'Ada Lovelace',
          email: 'ada@example.com',
          phone: '+14155552671',
          birthday: '1815-12-10',
          tier: 'Bronze',
          address: { city: 'London' },
          stage: 'active',
          company: 'Analytical Engines Ltd',
          notes: 'Wrote the ',
          tags: ['vip', 'math'],
        },
      },
      {
        entityType: 'organization',
        object: 'Account',
        externalId: '001xx',
        target: 'organization',
        remoteVersion: null,
        deleted: false,
        fields: { name: 'Analytical Engines Ltd' },
      },
    ]);
    expect(result.relationships).toEqual([
      {
        kind: 'works_at',
        from: { entityType: 'person', object: 'Contact', externalId: '003xx' },
        to: { entityType: 'organization', object: 'Account', externalId: '001xx' },
      },
    ]);
  });

  it('records a failing field with its target and reason, and maps the rest', () => {
    const result = applyMapping(contactMapping, { ...record, Phone: 'call me maybe', Stage__c: 'Z', Birthdate: 'soon' });
    expect(result.failed).toBe(false);
    expect(result.errors).toEqual([
      { field: 'person.phone', reason: 'not a valid phone number: "call me maybe"' },
      { field: 'person.birthday', reason: 'not an ISO 8601 date: "soon"' },
      { field: 'person.stage', reason: 'value "Z" is not in the map' },
    ]);
    const person = result.entities[0];
    expect(person?.fields).not.toHaveProperty('phone');
    expect(person?.fields).not.toHaveProperty('stage');
    expect(person?.fields.email).toBe('ada@example.com');
    expect(result.relationships).toHaveLength(1);
  });

  it('fails the whole record when a required field fails or is missing', () => {
    const bad = applyMapping(contactMapping, { ...record, Email: 'nope' });
    expect(bad).toEqual({ entities: [], relationships: [], errors: [{ field: 'person.email', reason: 'not an email address: "nope"' }], failed: true });
    const missing = applyMapping(contactMapping, { ...record, Email: undefined });
    expect(missing.failed).toBe(true);
    expect(missing.errors).toEqual([{ field: 'person.email', reason: 'required field is missing' }]);
  });

  it('fails a record without its own key but skips an optional target without one', () => {
    expect(applyMapping(contactMapping, { ...record, Id: null }).errors).toEqual([{ field: 'person.$key', reason: 'the record has no external id for this entity' }]);
    const noAccount = applyMapping(contactMapping, { ...record, AccountId: null, Account: null });
    expect(noAccount.failed).toBe(false);
    expect(noAccount.entities.map((e) => e.entityType)).toEqual(['person']);
    expect(noAccount.relationships).toEqual([]);
  });

  it('keeps explicit nulls, omits missing sources, and applies defaults to both', () => {
    const result = applyMapping(contactMapping, { Id: '1', Email: 'a@b.co', MailingCity: null, Tier__c: null });
    const fields = result.entities[0]?.fields;
    // A projection always yields an array: a missing list is an empty one.
    expect(fields).toEqual({ email: 'a@b.co', tier: 'Bronze', address: { city: null }, tags: [] });
  });

  it('never throws for records of the wrong shape', () => {
    for (const junk of [null, undefined, 42, 'text', [], [record], { Id: { nested: true }, Email: 5 }]) {
      const result = applyMapping(contactMapping, junk);
      expect(result.failed).toBe(true);
    }
  });

  it('marks a tombstoned record deleted, requiring nothing but its key', () => {
    expect(applyMapping(contactMapping, { ...record, IsDeleted: true }).entities[0]?.deleted).toBe(true);
    const bare = applyMapping(contactMapping, { Id: '003xx', IsDeleted: true });
    expect(bare.failed).toBe(false);
    expect(bare.entities[0]).toMatchObject({ externalId: '003xx', deleted: true });
  });

  /** An event and, with `each`, one person per attendee, keyed by normalised email. */
  const eventMapping: MappingDocument = {
    version: 1,
    source: { provider: 'google', object: 'event' },
    targets: [
      {
        entityType: 'event',
        fields: [{ target: 'title', source: 'summary' }],
        relationships: [{ kind: 'attended_by', toEntityType: 'person', toObject: 'email', via: 'attendees[*].email', transforms: [{ name: 'email' }] }],
      },
      {
        entityType: 'person',
        object: 'email',
        each: 'attendees',
        key: { source: 'email', transforms: [{ name: 'email' }] },
        optional: true,
        fields: [
          { target: 'name', source: 'displayName' },
          { target: 'eventTitle', source: '$record.summary' },
          { target: 'calendar', source: '$vars.calendarId' },
        ],
      },
    ],
  };

  it('produces one entity per element with each, deduplicated, with relationships per projected value', () => {
    const result = applyMapping(
      eventMapping,
      {
        id: 'ev1',
        summary: 'Standup',
        attendees: [{ email: 'Ada@x.org', displayName: 'Ada' }, { email: 'ada@x.org' }, { displayName: 'Room 1' }, { email: 'bad address' }],
      },
      { vars: { calendarId: 'primary' } },
    );
    expect(result.entities.map((e) => [e.entityType, e.externalId, e.fields])).toEqual([
      ['event', 'ev1', { title: 'Standup' }],
      ['person', 'ada@x.org', { name: 'Ada', eventTitle: 'Standup', calendar: 'primary' }],
    ]);
    expect(result.relationships.map((r) => r.to.externalId)).toEqual(['ada@x.org']);
    expect(result.errors).toEqual([
      { field: 'event.$relationships.attended_by', reason: 'not an email address: "bad address"' },
      { field: 'person.$key', reason: 'not an email address: "bad address"' },
    ]);
    expect(result.failed).toBe(false);
  });

  it('keeps each entity and relationship once also for a record with many elements, repeated out of order', () => {
    // 40 people, each listed three times (the last two in other case), in an interleaved order.
    const people = Array.from({ length: 40 }, (_, i) => `p${i}@x.org`);
    const attendees = [...people.map((email) => ({ email, displayName: email })), ...people.map((email) => ({ email: email.toUpperCase() })).reverse(), ...people.map((email) => ({ email: email.toUpperCase() }))];
    const result = applyMapping(eventMapping, { id: 'ev1', summary: 'All hands', attendees });
    expect(result.entities.map((e) => e.externalId)).toEqual(['ev1', ...people]);
    expect(result.entities.slice(1).every((e) => e.fields.name === e.externalId)).toBe(true);
    expect(result.relationships.map((r) => r.to.externalId)).toEqual(people);
    expect(result.failed).toBe(false);
  });

  it('reads time zones and regions from the context, not from the machine', () => {
    const mapping: MappingDocument = {
      version: 1,
      source: { provider: 'x', object: 'y' },
      targets: [{ entityType: 'event', fields: [{ target: 'at', source: 'at', transforms: [{ name: 'datetime' }] }, { target: 'phone', source: 'p', transforms: [{ name: 'phone_e164' }] }] }],
    };
    const r = applyMapping(mapping, { id: 1, at: '2024-07-01T09:00:00', p: '020 7946 0958' }, { timeZone: 'Europe/London', defaultRegion: 'GB' });
    expect(r.entities[0]?.fields).toEqual({ at: '2024-07-01T08:00:00.000Z', phone: '+442079460958' });
  });

  it('compiles once and applies the compiled form to many records', () => {
    const compiled = compileMapping(contactMapping);
    const results = [1, 2, 3].map((n) => compiled.apply({ ...record, Id: `003-${n}` }));
    expect(results.map((r) => r.entities[0]?.externalId)).toEqual(['003-1', '003-2', '003-3']);
    expect(applyMapping(compiled, record).entities).toHaveLength(2);
  });
});

describe('inverse mapping', () => {
  it('lists writable fields with their sources and the others with a reason', () => {
    const inverse = invertMapping(contactMapping);
    expect(inverse.writable.map((w) => [w.field, w.sources, w.kind])).toEqual([
      ['name', ['FirstName', 'LastName'], 'exact'],
      ['email', ['Email'], 'normalizing'],
      ['phone', ['Phone'], 'normalizing'],
      ['birthday', ['Birthdate'], 'normalizing'],
      ['tier', ['Tier__c'], 'exact'],
      ['address.city', ['MailingCity'], 'normalizing'],
      ['stage', ['Stage__c'], 'exact'],
      ['company', ['Account.Name'], 'exact'],
    ]);
    expect(inverse.notWritable).toEqual([
      { field: 'notes', reason: 'transform truncate has no inverse' },
      { field: 'tags', reason: 'source path "Tags[*].label" is not a writable path (projection, filter, context value or reserved key)' },
    ]);
  });

  it('builds the provider patch from entity fields, splitting joined sources', () => {
    const result = applyInverse(contactMapping, {
      name: 'Augusta Ada King',
      email: 'ada@example.com',
      stage: 'inactive',
      address: { city: 'Paris' },
      notes: 'changed',
      tags: ['x'],
    });
    expect(result.patch).toEqual({ FirstName: 'Augusta Ada', LastName: 'King', Email: 'ada@example.com', Stage__c: 'I', MailingCity: 'Paris' });
    expect(result.notWritable.map((n) => n.field)).toEqual(['notes', 'tags']);
    expect(result.errors).toEqual([]);
  });

  it('reports a value the inverse cannot convert, and writes nulls as clears', () => {
    const result = applyInverse(contactMapping, { stage: 'archived', phone: null, name: null });
    expect(result.errors).toEqual([{ field: 'stage', reason: 'value "archived" has no provider value in the map' }]);
    expect(result.patch).toEqual({ Phone: null, FirstName: null, LastName: null });
  });

  it('round-trips: mapping the pushed patch gives the pushed values back', () => {
    const pushed = { name: 'Grace Hopper', email: 'grace@navy.mil', stage: 'active', birthday: '1906-12-09' };
    const { patch } = applyInverse(contactMapping, pushed);
    const back = applyMapping(contactMapping, { Id: '1', ...patch });
    expect(back.entities[0]?.fields).toMatchObject(pushed);
  });

  it('never writes one provider field from two entity fields', () => {
    const mapping: MappingDocument = {
      version: 1,
      source: { provider: 'x', object: 'y' },
      targets: [
        {
          entityType: 'person',
          fields: [
            { target: 'email', source: 'Email', transforms: [{ name: 'email' }] },
            { target: 'rawEmail', source: 'Email' },
            { target: 'fixed', transforms: [{ name: 'constant', args: ['x'] }] },
            { target: 'hidden', source: 'H', writable: false },
            { target: 'name', sources: ['F', 'L'] },
          ],
        },
      ],
    };
    expect(invertMapping(mapping).notWritable).toEqual([
      { field: 'rawEmail', reason: 'source path "Email" is already written by field "email"' },
      { field: 'fixed', reason: 'has no source to write to' },
      { field: 'hidden', reason: 'marked writable: false in the mapping' },
      { field: 'name', reason: 'several sources and no transform to split the value between them' },
    ]);
  });
});

describe('previewMapping', () => {
  it('shows each output field with its value or its error, per sample record', () => {
    const rows = previewMapping(contactMapping, [record, { ...record, Id: '2', Phone: 'nope', AccountId: null }, { Id: '3' }]);
    expect(rows).toHaveLength(3);
    expect(rows[0]?.failed).toBe(false);
    expect(rows[0]?.fields).toContainEqual({ field: 'person.email', externalId: '003xx', value: 'ada@example.com' });
    expect(rows[0]?.fields).toContainEqual({ field: 'organization.name', externalId: '001xx', value: 'Analytical Engines Ltd' });
    expect(rows[1]?.fields).toContainEqual({ field: 'person.phone', externalId: '2', error: 'not a valid phone number: "nope"' });
    expect(rows[1]?.relationships).toEqual([]);
    expect(rows[2]).toMatchObject({ failed: true, fields: [{ field: 'person.email', externalId: null, error: 'required field is missing' }], errors: [] });
  });
});
