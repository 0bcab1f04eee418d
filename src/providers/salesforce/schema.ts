/**
 * Salesforce schemas from `describe`: every field with our field type, required and
 * read-only flags, picklist values, reference targets, and custom fields (`__c`)
 * marked custom. `discover` describes the standard objects plus any object named in the
 * connection's `settings.objects`.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { FieldSchema, ObjectCapabilities, ObjectSchema, ProviderContext } from '../provider.ts';
import { describeSObject, type DescribeField, type SObjectDescribe } from './client.ts';

/** The objects every Salesforce connection syncs, before `settings.objects`. */
export const STANDARD_OBJECTS = ['Account', 'Contact', 'Opportunity'] as const;

/**
 * What Salesforce offers for an sObject: incremental reads on SystemModstamp, deletions
 * through the 15-day getDeleted window, composite batch creates, outbound messages, and
 * the precondition documented for it (ETag/If-Match on Account only, If-Unmodified-Since
 * elsewhere).
 */
export function sobjectCapabilities(type: string, describe?: Pick<SObjectDescribe, 'createable' | 'updateable' | 'deletable'>): ObjectCapabilities {
  return {
    incremental: true,
    deletions: 'window',
    create: describe?.createable ?? true,
    update: describe?.updateable ?? true,
    delete: describe?.deletable ?? true,
    batch: true,
    webhooks: true,
    precondition: type === 'Account' ? 'etag' : 'if_unmodified_since',
  };
}

const TYPES: Record<string, FieldSchema['type']> = {
  id: 'string',
  string: 'string',
  textarea: 'string',
  encryptedstring: 'string',
  combobox: 'string',
  base64: 'string',
  time: 'string',
  boolean: 'boolean',
  int: 'integer',
  long: 'integer',
  double: 'number',
  currency: 'number',
  percent: 'number',
  date: 'date',
  datetime: 'datetime',
  email: 'email',
  phone: 'phone',
  url: 'url',
  picklist: 'enum',
  multipicklist: 'array',
  reference: 'reference',
  address: 'json',
  location: 'json',
  anyType: 'json',
  complexvalue: 'json',
};

export function fieldSchema(field: DescribeField): FieldSchema {
  const out: FieldSchema = { name: field.name, type: TYPES[field.type] ?? 'string' };
  if (field.label) out.label = field.label;
  if (field.nillable === false && field.createable === true && field.defaultedOnCreate !== true && field.type !== 'boolean') out.required = true;
  if (field.createable === false && field.updateable === false) out.readOnly = true;
  if (field.picklistValues && field.picklistValues.length > 0) {
    out.enumValues = field.picklistValues.filter((p) => p.active !== false).map((p) => p.value);
  }
  const target = field.referenceTo?.[0];
  if (field.type === 'reference' && target) out.references = target;
  if (field.custom === true || field.name.endsWith('__c')) out.custom = true;
  return out;
}

export function objectSchema(describe: SObjectDescribe): ObjectSchema {
  return {
    name: describe.name,
    label: describe.label,
    fields: describe.fields.map(fieldSchema),
    capabilities: sobjectCapabilities(describe.name, describe),
  };
}

/** Object names to sync: the standard ones and `settings.objects` (strings), without duplicates. */
export function configuredObjects(settings: Record<string, unknown>): string[] {
  const extra = Array.isArray(settings.objects) ? settings.objects.filter((o): o is string => typeof o === 'string') : [];
  for (const name of extra) {
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
      throw new TributaryError('VALIDATION_FAILED', `Not an sObject name: ${JSON.stringify(name)}`, { field: 'settings.objects' });
    }
  }
  const seen = new Set<string>();
  return [...STANDARD_OBJECTS, ...extra].filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Describes every configured object, one call each. */
export async function discoverSalesforce(ctx: ProviderContext): Promise<ObjectSchema[]> {
  const out: ObjectSchema[] = [];
  for (const name of configuredObjects(ctx.connection.settings)) out.push(objectSchema(await describeSObject(ctx, name)));
  return out;
}
