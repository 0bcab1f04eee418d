/** Salesforce Opportunity (updates use If-Unmodified-Since). */
import { salesforceObject } from './sobject.ts';

export const opportunityObject = salesforceObject('Opportunity', 'Opportunity');
