/** Salesforce Account: the one sObject whose rows carry an ETag (updates use If-Match). */
import { salesforceObject } from './sobject.ts';

export const accountObject = salesforceObject('Account', 'Account');
