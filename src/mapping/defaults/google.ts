/**
 * Google defaults: People API contacts (`people.connections.list` items), Calendar events
 * and Drive files (`files` resources; the Drive fetcher unwraps `changes[].file`).
 *
 * People's lists (`emailAddresses`, `phoneNumbers`, ...) are read through their primary
 * entry (`[?metadata.primary]`), falling back to the first. `names` is a singleton for
 * contact sources, so `names[0]` is read and written. People known only by an email
 * (event attendees and organisers, file owners) are persons under the object `email`,
 * keyed by the lower-cased address; deduplication joins them to contacts.
 */
import type { MappingDocument } from '../../domain/mapping.ts';
import { field, readOnly, t } from './build.ts';

const primary = (list: string, key: string) => [`${list}[?metadata.primary].${key}`, `${list}[0].${key}`];

export const GOOGLE_CONTACT: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'google', object: 'contact' },
  targets: [
    {
      entityType: 'person',
      key: 'resourceName',
      version: 'etag',
      tombstone: { source: 'metadata.deleted' },
      fields: [
        field('givenName', 'names[0].givenName'),
        field('familyName', 'names[0].familyName'),
        readOnly('name', ['names[0].displayName', 'names[0].unstructuredName'], [t('coalesce')]),
        readOnly('email', primary('emailAddresses', 'value'), [t('coalesce'), t('first'), t('email')]),
        readOnly('emails', 'emailAddresses[*].value'),
        // canonicalForm is Google's own E.164 reading; the raw value is read in the context's region.
        readOnly('phone', [...primary('phoneNumbers', 'canonicalForm'), ...primary('phoneNumbers', 'value')], [t('coalesce'), t('first'), t('phone_e164')]),
        readOnly('phones', 'phoneNumbers[*].value'),
        readOnly('organizationName', primary('organizations', 'name'), [t('coalesce'), t('first')]),
        readOnly('title', primary('organizations', 'title'), [t('coalesce'), t('first')]),
        readOnly('country', primary('addresses', 'countryCode'), [t('coalesce'), t('first'), t('country_code')]),
        readOnly('city', primary('addresses', 'city'), [t('coalesce'), t('first')]),
        readOnly('avatarUrl', primary('photos', 'url'), [t('coalesce'), t('first')]),
        field('notes', 'biographies[0].value'),
      ],
    },
  ],
};

export const GOOGLE_EVENT: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'google', object: 'event' },
  targets: [
    {
      entityType: 'event',
      key: 'id',
      version: 'etag',
      tombstone: { source: 'status', equals: 'cancelled' },
      fields: [
        field('title', 'summary'),
        field('description', 'description', [t('html_to_text')]),
        field('location', 'location'),
        // As Google gives them: a date-time with offset, or a bare date for all-day events.
        readOnly('start', ['start.dateTime', 'start.date'], [t('coalesce')]),
        readOnly('end', ['end.dateTime', 'end.date'], [t('coalesce')]),
        readOnly('startsAt', ['start.dateTime', 'start.date'], [t('coalesce'), t('datetime')]),
        readOnly('endsAt', ['end.dateTime', 'end.date'], [t('coalesce'), t('datetime')]),
        readOnly('allDay', 'start.date', [t('exists')]),
        readOnly('timeZone', 'start.timeZone'),
        readOnly('status', 'status'),
        readOnly('url', 'htmlLink'),
        readOnly('organizerEmail', 'organizer.email', [t('email')]),
        readOnly('attendeeEmails', 'attendees[*].email'),
        readOnly('recurringEventId', 'recurringEventId'),
        readOnly('hangoutLink', 'hangoutLink'),
        readOnly('createdAt', 'created', [t('datetime')]),
        readOnly('updatedAt', 'updated', [t('datetime')]),
      ],
      relationships: [
        { kind: 'attended_by', toEntityType: 'person', toObject: 'email', via: 'attendees[?!resource].email', transforms: [t('email')] },
        { kind: 'organized_by', toEntityType: 'person', toObject: 'email', via: 'organizer.email', transforms: [t('email')] },
      ],
    },
    {
      entityType: 'person',
      name: 'attendee',
      object: 'email',
      each: 'attendees[?!resource]',
      key: { source: 'email', transforms: [t('email')] },
      optional: true,
      fields: [readOnly('email', 'email', [t('email')]), readOnly('name', 'displayName')],
    },
    {
      entityType: 'person',
      name: 'organizer',
      object: 'email',
      key: { source: 'organizer.email', transforms: [t('email')] },
      optional: true,
      fields: [readOnly('email', 'organizer.email', [t('email')]), readOnly('name', 'organizer.displayName')],
    },
  ],
};

export const GOOGLE_FILE: MappingDocument = {
  format: 1,
  version: 1,
  source: { provider: 'google', object: 'file' },
  targets: [
    {
      entityType: 'document',
      key: 'id',
      version: 'version',
      tombstone: { source: 'trashed' },
      fields: [
        field('title', 'name', [], { required: true }),
        field('description', 'description'),
        readOnly('mimeType', 'mimeType'),
        readOnly('isFolder', 'mimeType', [t('equals', 'application/vnd.google-apps.folder')]),
        readOnly('url', 'webViewLink'),
        readOnly('size', 'size', [t('to_integer')]),
        field('starred', 'starred', [t('default', false)]),
        readOnly('parents', 'parents'),
        readOnly('ownerEmails', 'owners[*].emailAddress'),
        readOnly('createdAt', 'createdTime', [t('datetime')]),
        readOnly('updatedAt', 'modifiedTime', [t('datetime')]),
      ],
      relationships: [{ kind: 'owned_by', toEntityType: 'person', toObject: 'email', via: 'owners[*].emailAddress', transforms: [t('email')] }],
    },
    {
      entityType: 'person',
      name: 'owner',
      object: 'email',
      each: 'owners',
      key: { source: 'emailAddress', transforms: [t('email')] },
      optional: true,
      fields: [readOnly('email', 'emailAddress', [t('email')]), readOnly('name', 'displayName'), readOnly('avatarUrl', 'photoLink')],
    },
  ],
};
