/** Salesforce Contact (updates use If-Unmodified-Since). */
import { salesforceObject } from './sobject.ts';

export const contactObject = salesforceObject('Contact', 'Contact');
