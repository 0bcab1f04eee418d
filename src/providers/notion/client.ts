/**
 * Notion request helpers: paths relative to the connection's base URL (so a sandbox at
 * `<host>/notion` works as well as https://api.notion.com), and the lookup from a
 * database to the data source we query.
 */
import type { HttpRequest, ProviderContext } from '../provider.ts';
import { notionSettings, requireContainer, type NotionSettings } from './settings.ts';

/**
 * Sends one Notion call and answers its JSON body. The request names the connection's
 * `Notion-Version` itself; today the HTTP client lets `authHeaders` (always
 * NOTION_API_VERSION) override it, see auth.ts.
 */
export async function notionCall<T = Record<string, unknown>>(ctx: ProviderContext, request: HttpRequest): Promise<T> {
  const headers = { 'notion-version': notionSettings(ctx).version, ...request.headers };
  const response = await ctx.http.request({ ...request, headers });
  return (response.body ?? {}) as T;
}

/** Where `pages` queries go: a data source query, or (legacy versions) a database query. */
export interface QueryTarget {
  path: string;
  /** The parent of pages we create. */
  parent: Record<string, string>;
}

/**
 * Where pages of the container in `settings` are queried and created: the data source
 * itself, a database's first data source (one GET), or the database (legacy versions).
 */
export async function queryTarget(ctx: ProviderContext, settings: NotionSettings): Promise<QueryTarget> {
  requireContainer(settings);
  if (settings.dataSourceId !== null && !settings.legacy) {
    return { path: `v1/data_sources/${settings.dataSourceId}/query`, parent: { type: 'data_source_id', data_source_id: settings.dataSourceId } };
  }
  const databaseId = settings.databaseId ?? settings.dataSourceId ?? '';
  if (settings.legacy) return { path: `v1/databases/${databaseId}/query`, parent: { type: 'database_id', database_id: databaseId } };
  const db = await notionCall<{ data_sources?: { id: string }[] }>(ctx, { method: 'GET', path: `v1/databases/${databaseId}`, operation: 'read' });
  const first = db.data_sources?.[0]?.id;
  if (!first) return { path: `v1/databases/${databaseId}/query`, parent: { type: 'database_id', database_id: databaseId } };
  return { path: `v1/data_sources/${first}/query`, parent: { type: 'data_source_id', data_source_id: first } };
}
