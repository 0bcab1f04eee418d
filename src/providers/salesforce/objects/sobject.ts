/**
 * The ObjectDefinition of any sObject, by its API name: the standard objects are
 * instances of it, and `salesforceObject('Invoice__c')` serves a custom one.
 */
import type { ObjectDefinition } from '../../provider.ts';
import { sobjectCapabilities } from '../schema.ts';
import { readSObjectPage } from './changes.ts';
import { createManySObjects, createSObject, deleteSObject, fetchSObject, updateSObject } from './writes.ts';

export function salesforceObject(type: string, label: string = type): ObjectDefinition {
  return {
    name: type,
    label,
    capabilities: sobjectCapabilities(type),
    readPage: (ctx, cursor, options) => readSObjectPage(ctx, type, cursor, options),
    fetchOne: (ctx, id, options) => fetchSObject(ctx, type, id, options?.paths),
    create: (ctx, data) => createSObject(ctx, type, data),
    update: (ctx, id, patch, options) => updateSObject(ctx, type, id, patch, options),
    delete: (ctx, id, options) => deleteSObject(ctx, type, id, options),
    createMany: (ctx, items) => createManySObjects(ctx, type, items),
  };
}
