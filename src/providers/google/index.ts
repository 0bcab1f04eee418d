/**
 * The Google provider: People contacts, Calendar events and Drive file metadata over one
 * connection. Each API's base path (`v1/`, `calendar/v3/`, `drive/v3/`) is relative to
 * the connection's base URL (client.ts), so one base URL serves all three in the sandbox.
 * Against real Google, Calendar and Drive live under https://www.googleapis.com but People
 * lives on https://people.googleapis.com: People calls name `api: 'people'` and
 * `apiBases` maps it to that host, which the HTTP client uses while the connection has
 * the default base URL (a sandbox or custom base URL serves all three APIs).
 *
 * Plain HTTP through the context's ProviderHttp, not the googleapis packages: our HTTP
 * client owns auth, token refresh, rate limits, retries and the egress policy in one
 * place, and the SDKs bring their own retries and auth (google-auth-library) that would
 * fight it.
 */
import type { Provider } from '../provider.ts';
import { GOOGLE_AUTH } from './auth.ts';
import { GOOGLE_API_BASES } from './client.ts';
import { classifyGoogleError } from './errors.ts';
import { googleHealth, validateGoogle } from './identity.ts';
import { contactsObject } from './objects/contacts.ts';
import { eventsObject } from './objects/events.ts';
import { filesObject } from './objects/files.ts';
import { discoverGoogle } from './schema.ts';

export { GOOGLE_AUTH, GOOGLE_JWT_GRANT_TYPE, GOOGLE_SCOPES, isGoogleGrantRevoked } from './auth.ts';
export { CALENDAR_API, DRIVE_API, GOOGLE_API_BASES, PEOPLE, PEOPLE_API } from './client.ts';
export { classifyGoogleError, googleErrorOf, isGoogleGone, type GoogleErrorInfo } from './errors.ts';
export { DEFAULT_PERSON_FIELDS, type GoogleSyncCursor } from './objects/contacts.ts';
export { FILE_FIELDS, type DriveCursor } from './objects/files.ts';
export { GOOGLE_SCHEMAS } from './schema.ts';

export const googleProvider: Provider = {
  id: 'google',
  label: 'Google',
  defaultBaseUrl: 'https://www.googleapis.com',
  defaultAuthBaseUrl: 'https://accounts.google.com',
  apiBases: { ...GOOGLE_API_BASES },
  auth: GOOGLE_AUTH,
  objects: [contactsObject, eventsObject, filesObject],
  validate: validateGoogle,
  discover: discoverGoogle,
  health: googleHealth,
  classifyError: classifyGoogleError,
};
export * from './webhooks.ts';
