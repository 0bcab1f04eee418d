/**
 * The Salesforce provider (REST API v60.0; the base URL is the connection's instance
 * URL): Account, Contact and Opportunity, and any sObject by name through
 * `salesforceObject(name)` / `salesforceProvider.objectFor(name)`.
 *
 * Plain HTTP through the context's ProviderHttp, not jsforce: our HTTP client owns auth,
 * token refresh, rate limits, retries and the egress policy in one place, and an SDK
 * brings its own retries and session handling that would fight it.
 */
import type { ObjectDefinition, Provider } from '../provider.ts';
import { SALESFORCE_AUTH } from './auth.ts';
import { classifySalesforceError } from './errors.ts';
import { salesforceHealth, validateSalesforce } from './identity.ts';
import { accountObject } from './objects/account.ts';
import { contactObject } from './objects/contact.ts';
import { opportunityObject } from './objects/opportunity.ts';
import { salesforceObject } from './objects/sobject.ts';
import { discoverSalesforce } from './schema.ts';

export { SALESFORCE_AUTH, SALESFORCE_JWT_GRANT_TYPE } from './auth.ts';
export { SALESFORCE_API_VERSION } from './client.ts';
export { classifySalesforceError, limitRetryAfterMs } from './errors.ts';
export { WATERMARK_OVERLAP_MS, type SalesforceCursor } from './objects/changes.ts';
export { salesforceObject } from './objects/sobject.ts';
export { STANDARD_OBJECTS } from './schema.ts';

const STANDARD: ObjectDefinition[] = [accountObject, contactObject, opportunityObject];

export interface SalesforceProvider extends Provider {
  /** The definition of any sObject by API name (standard ones are the same instances as `objects`). */
  objectFor(name: string): ObjectDefinition;
}

export const salesforceProvider: SalesforceProvider = {
  id: 'salesforce',
  label: 'Salesforce',
  defaultBaseUrl: 'https://login.salesforce.com',
  defaultAuthBaseUrl: 'https://login.salesforce.com',
  auth: SALESFORCE_AUTH,
  objects: STANDARD,
  objectFor: (name) => STANDARD.find((o) => o.name.toLowerCase() === name.toLowerCase()) ?? salesforceObject(name),
  validate: validateSalesforce,
  discover: discoverSalesforce,
  health: salesforceHealth,
  classifyError: classifySalesforceError,
};
export * from './webhooks.ts';
