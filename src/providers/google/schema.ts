/**
 * Google's object schemas are fixed by the APIs: `discover` answers these static
 * schemas (People Person, Calendar Event, Drive File metadata), with dotted paths into
 * the provider JSON (`emailAddresses[].value`).
 */
import type { FieldSchema, ObjectSchema } from '../provider.ts';
import { contactsObject } from './objects/contacts.ts';
import { eventsObject } from './objects/events.ts';
import { filesObject } from './objects/files.ts';

const CONTACT_FIELDS: FieldSchema[] = [
  { name: 'resourceName', type: 'string', readOnly: true },
  { name: 'etag', type: 'string', readOnly: true },
  { name: 'names[].givenName', label: 'Given name', type: 'string' },
  { name: 'names[].familyName', label: 'Family name', type: 'string' },
  { name: 'names[].displayName', label: 'Display name', type: 'string', readOnly: true },
  { name: 'emailAddresses[].value', label: 'Email', type: 'email' },
  { name: 'phoneNumbers[].value', label: 'Phone', type: 'phone' },
  { name: 'organizations[].name', label: 'Company', type: 'string' },
  { name: 'organizations[].title', label: 'Job title', type: 'string' },
  { name: 'addresses', type: 'array' },
  { name: 'biographies[].value', label: 'Notes', type: 'string' },
  { name: 'urls[].value', label: 'Website', type: 'url' },
  { name: 'metadata.sources[].updateTime', label: 'Updated', type: 'datetime', readOnly: true },
];

const EVENT_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'etag', type: 'string', readOnly: true },
  { name: 'status', type: 'enum', enumValues: ['confirmed', 'tentative', 'cancelled'] },
  { name: 'summary', type: 'string' },
  { name: 'description', type: 'string' },
  { name: 'location', type: 'string' },
  { name: 'start.dateTime', label: 'Start', type: 'datetime', required: true },
  { name: 'start.date', label: 'Start date (all day)', type: 'date' },
  { name: 'end.dateTime', label: 'End', type: 'datetime', required: true },
  { name: 'end.date', label: 'End date (all day)', type: 'date' },
  { name: 'attendees[].email', label: 'Attendees', type: 'email' },
  { name: 'organizer.email', type: 'email', readOnly: true },
  { name: 'htmlLink', type: 'url', readOnly: true },
  { name: 'created', type: 'datetime', readOnly: true },
  { name: 'updated', type: 'datetime', readOnly: true },
];

const FILE_SCHEMA_FIELDS: FieldSchema[] = [
  { name: 'id', type: 'string', readOnly: true },
  { name: 'name', type: 'string', readOnly: true },
  { name: 'mimeType', type: 'string', readOnly: true },
  { name: 'trashed', type: 'boolean', readOnly: true },
  { name: 'parents', type: 'array', readOnly: true },
  { name: 'version', type: 'string', readOnly: true },
  { name: 'size', type: 'integer', readOnly: true },
  { name: 'webViewLink', type: 'url', readOnly: true },
  { name: 'owners[].emailAddress', label: 'Owner', type: 'email', readOnly: true },
  { name: 'createdTime', type: 'datetime', readOnly: true },
  { name: 'modifiedTime', type: 'datetime', readOnly: true },
];

export const GOOGLE_SCHEMAS: readonly ObjectSchema[] = [
  { name: contactsObject.name, label: contactsObject.label, fields: CONTACT_FIELDS, capabilities: contactsObject.capabilities },
  { name: eventsObject.name, label: eventsObject.label, fields: EVENT_FIELDS, capabilities: eventsObject.capabilities },
  { name: filesObject.name, label: filesObject.label, fields: FILE_SCHEMA_FIELDS, capabilities: filesObject.capabilities },
];

export function discoverGoogle(): Promise<ObjectSchema[]> {
  return Promise.resolve(GOOGLE_SCHEMAS.map((s) => ({ ...s, fields: [...s.fields] })));
}
