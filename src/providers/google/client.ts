/**
 * One Google connection, several APIs. Each API's base path is relative to the
 * connection's base URL (`https://www.googleapis.com` by default; the sandbox serves
 * `<host>/google/v1/...`, `<host>/google/calendar/v3/...`, `<host>/google/drive/v3/...`),
 * so that paths resolve under the base URL's path (no leading slash). People calls name
 * `api: PEOPLE`: with the default base URL the HTTP client sends them to
 * `GOOGLE_API_BASES.people` (https://people.googleapis.com), where the real People API lives.
 */
import type { HttpRequest, ProviderContext } from '../provider.ts';

export const PEOPLE_API = 'v1/';
/** The `HttpRequest.api` name of People calls. */
export const PEOPLE = 'people';
/** Google APIs on another host than https://www.googleapis.com (Provider.apiBases). */
export const GOOGLE_API_BASES: Readonly<Record<string, string>> = { [PEOPLE]: 'https://people.googleapis.com/' };
export const CALENDAR_API = 'calendar/v3/';
export const DRIVE_API = 'drive/v3/';

/** Sends one Google call and answers its JSON body (`{}` for an empty 204). */
export async function googleCall<T = Record<string, unknown>>(ctx: ProviderContext, request: HttpRequest): Promise<T> {
  const response = await ctx.http.request(request);
  return (response.body ?? {}) as T;
}

/** A string setting, or the fallback. */
export function stringSetting(ctx: ProviderContext, key: string, fallback: string): string {
  const value = ctx.connection.settings[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}
