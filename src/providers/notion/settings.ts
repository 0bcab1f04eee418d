/**
 * The connection settings the Notion adapter reads (`connection.settings`):
 *
 * - `dataSourceId`: the data source whose pages the `pages` object syncs (API 2025-09-03).
 * - `databaseId`: a database; with the default API the adapter syncs the database's
 *   first data source (looked up once per call), with `notionVersion` older than
 *   2025-09-03 it queries `/v1/databases/{id}/query` directly.
 * - `notionVersion`: the API version the connection was built for (default
 *   NOTION_API_VERSION). Older versions switch to the database endpoints.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ProviderContext } from '../provider.ts';
import { NOTION_API_VERSION } from './auth.ts';

export interface NotionSettings {
  dataSourceId: string | null;
  databaseId: string | null;
  version: string;
  /** True when the version predates data sources (2025-09-03). */
  legacy: boolean;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function notionSettings(ctx: ProviderContext): NotionSettings {
  const s = ctx.connection.settings;
  const version = str(s.notionVersion) ?? NOTION_API_VERSION;
  return { dataSourceId: str(s.dataSourceId), databaseId: str(s.databaseId), version, legacy: version < '2025-09-03' };
}

/** The settings of the `pages` object: one of dataSourceId / databaseId must be set. */
export function requireContainer(settings: NotionSettings): void {
  if (settings.dataSourceId === null && settings.databaseId === null) {
    throw new TributaryError('CONFIG_INVALID', 'The Notion connection needs settings.dataSourceId or settings.databaseId to sync pages', {
      field: 'settings.dataSourceId',
    });
  }
}
