/**
 * The Notion provider (base https://api.notion.com, API version 2025-09-03): pages of a
 * data source (`pages` from the settings, or `data_source:<id>` / `database:<id>` from
 * `notionObjectFor`) with every property type, and workspace users.
 *
 * Plain HTTP through the context's ProviderHttp, not @notionhq/client: our HTTP client
 * owns auth, token refresh, rate limits, retries and the egress policy in one place, and
 * the SDK brings its own retries and auth handling that would fight it.
 */
import type { ObjectDefinition, Provider } from '../provider.ts';
import { NOTION_AUTH, notionAuthHeaders } from './auth.ts';
import { classifyNotionError } from './errors.ts';
import { notionHealth, validateNotion } from './identity.ts';
import { notionPagesObject, pagesObject } from './objects/pages.ts';
import { usersObject } from './objects/users.ts';
import { discoverNotion } from './schema.ts';

export { NOTION_API_VERSION, NOTION_AUTH, isNotionRefreshRejected, notionAuthHeaders } from './auth.ts';
export { classifyNotionError, isNotionNotFound, retryAfterMsOf } from './errors.ts';
export { WATERMARK_OVERLAP_MS, notionPagesObject, type NotionPagesCursor } from './objects/pages.ts';
export { propertyField } from './schema.ts';
export { notionSettings, type NotionSettings } from './settings.ts';

const OBJECTS: ObjectDefinition[] = [pagesObject, usersObject];

/**
 * The definition of an object by name: `pages`, `users`, `data_source:<id>` or
 * `database:<id>` (pages of that container, whatever the settings say); undefined for others.
 */
export function notionObjectFor(name: string): ObjectDefinition | undefined {
  const fixed = OBJECTS.find((o) => o.name === name);
  if (fixed) return fixed;
  const match = /^(data_source|database):([0-9a-f-]{32,36})$/i.exec(name);
  if (!match?.[2]) return undefined;
  const id = match[2];
  return notionPagesObject(name, `Pages of ${id}`, match[1] === 'database' ? { databaseId: id } : { dataSourceId: id });
}

export const notionProvider: Provider & { objectFor(name: string): ObjectDefinition | undefined } = {
  id: 'notion',
  label: 'Notion',
  defaultBaseUrl: 'https://api.notion.com',
  defaultAuthBaseUrl: 'https://api.notion.com',
  auth: NOTION_AUTH,
  objects: OBJECTS,
  objectFor: notionObjectFor,
  validate: validateNotion,
  discover: discoverNotion,
  health: notionHealth,
  classifyError: classifyNotionError,
  authHeaders: (accessToken) => notionAuthHeaders(accessToken),
};
export * from './webhooks.ts';
