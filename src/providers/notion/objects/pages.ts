/**
 * Pages of a Notion data source (or, before API 2025-09-03, of a database).
 *
 * `pages` syncs the container named in the connection settings (settings.ts);
 * `data_source:<id>` and `database:<id>` (from `notionObjectFor`, and what `discover`
 * lists) are bound to one container whatever the settings say.
 *
 * Reads query the container sorted by `last_edited_time` ascending, filtered by
 * `{"timestamp":"last_edited_time","last_edited_time":{"on_or_after": watermark}}` on
 * incremental runs. `last_edited_time` is minute-granular, so the next watermark is the
 * newest edit seen minus WATERMARK_OVERLAP_MS: the overlap re-reads up to a minute of
 * pages, which the engine's idempotent upserts make free, and nothing edited within the
 * same minute as the last run is missed. Trashed pages leave Notion's queries, so
 * deletions come by webhook (`page.deleted`); a trashed page that is seen (a query
 * racing the trash) is reported as a deletion. Notion has no write preconditions.
 */
import type { ChangePage, Cursor, ExternalRecord, ObjectDefinition, ProviderContext } from '../../provider.ts';
import { notionCall, queryTarget, type QueryTarget } from '../client.ts';
import { isNotionNotFound } from '../errors.ts';
import { notionSettings } from '../settings.ts';

/** How far the next run's watermark goes back from the newest edit seen. */
export const WATERMARK_OVERLAP_MS = 60_000;
const MAX_PAGE_SIZE = 100;

/** The checkpoint of a pages sync. */
export interface NotionPagesCursor extends Cursor {
  /** `on_or_after` of this run (ISO); null: a full sync. */
  watermark: string | null;
  /** Notion's `next_cursor` within the run. */
  startCursor?: string;
  /** Newest `last_edited_time` seen so far in the run. */
  maxSeen?: string | null;
}

type NotionPage = Record<string, unknown> & { id: string; last_edited_time?: string; in_trash?: boolean; archived?: boolean };

/** A page as an ExternalRecord: the version is `last_edited_time` (Notion has no etag). */
export function pageRecord(page: NotionPage): ExternalRecord {
  return { id: page.id, version: page.last_edited_time ?? null, modifiedAt: page.last_edited_time ?? null, data: page };
}

function isTrashed(page: NotionPage): boolean {
  return page.in_trash === true || page.archived === true;
}

function later(a: string | null | undefined, b: string | null | undefined): string | null {
  if (!a) return b ?? null;
  if (!b) return a;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

export type PagesBinding = { dataSourceId: string } | { databaseId: string } | null;

function targetOf(ctx: ProviderContext, binding: PagesBinding): Promise<QueryTarget> {
  const settings = notionSettings(ctx);
  if (binding === null) return queryTarget(ctx, settings);
  return queryTarget(ctx, { ...settings, dataSourceId: 'dataSourceId' in binding ? binding.dataSourceId : null, databaseId: 'databaseId' in binding ? binding.databaseId : null });
}

/** A pages object bound to a container, or (binding null) to the one in the settings. */
export function notionPagesObject(name: string, label: string, binding: PagesBinding): ObjectDefinition {
  return {
    name,
    label,
    capabilities: { incremental: true, deletions: 'webhook', create: true, update: true, delete: true, batch: false, webhooks: true, precondition: 'none' },

    async readPage(ctx, cursor, options): Promise<ChangePage> {
      const state = (cursor ?? { watermark: null }) as NotionPagesCursor;
      const target = await targetOf(ctx, binding);
      const body: Record<string, unknown> = {
        page_size: Math.min(options.pageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
        sorts: [{ timestamp: 'last_edited_time', direction: 'ascending' }],
      };
      if (state.watermark) body.filter = { timestamp: 'last_edited_time', last_edited_time: { on_or_after: state.watermark } };
      if (state.startCursor) body.start_cursor = state.startCursor;
      const answer = await notionCall<{ results?: NotionPage[]; has_more?: boolean; next_cursor?: string | null }>(ctx, {
        method: 'POST',
        path: target.path,
        body,
        operation: 'read',
      });
      const results = answer.results ?? [];
      let maxSeen = state.maxSeen ?? null;
      const page: ChangePage = { records: [], deletions: [], cursor: {}, done: false };
      for (const item of results) {
        maxSeen = later(maxSeen, item.last_edited_time);
        if (isTrashed(item)) page.deletions.push({ id: item.id, deletedAt: item.last_edited_time ?? null });
        else page.records.push(pageRecord(item));
      }
      if (answer.has_more === true && answer.next_cursor) {
        page.cursor = { watermark: state.watermark, startCursor: answer.next_cursor, maxSeen } satisfies NotionPagesCursor;
        return page;
      }
      const next = maxSeen ? new Date(Date.parse(maxSeen) - WATERMARK_OVERLAP_MS).toISOString() : state.watermark;
      page.cursor = { watermark: next } satisfies NotionPagesCursor;
      page.done = true;
      return page;
    },

    async fetchOne(ctx, id) {
      try {
        const found = await notionCall<NotionPage>(ctx, { method: 'GET', path: `v1/pages/${encodeURIComponent(id)}`, operation: 'read' });
        return isTrashed(found) ? null : pageRecord(found);
      } catch (error) {
        if (isNotionNotFound(error)) return null;
        throw error;
      }
    },

    /** `data` is `{properties, icon?, cover?, children?}` or the properties themselves. */
    async create(ctx, data) {
      const target = await targetOf(ctx, binding);
      const body = 'properties' in data ? { ...data, parent: target.parent } : { parent: target.parent, properties: data };
      return pageRecord(await notionCall<NotionPage>(ctx, { method: 'POST', path: 'v1/pages', body, operation: 'write' }));
    },

    /** `patch` is `{properties, ...}` or the properties themselves; other properties are left as they are. */
    async update(ctx, id, patch) {
      const body = 'properties' in patch ? patch : { properties: patch };
      return pageRecord(await notionCall<NotionPage>(ctx, { method: 'PATCH', path: `v1/pages/${encodeURIComponent(id)}`, body, operation: 'write' }));
    },

    /** Moves the page to the trash (Notion's delete; restorable for 30 days). */
    async delete(ctx, id) {
      const body = notionSettings(ctx).legacy ? { archived: true } : { in_trash: true };
      await notionCall(ctx, { method: 'PATCH', path: `v1/pages/${encodeURIComponent(id)}`, body, operation: 'write' });
    },
  };
}

/** Pages of the data source / database named in the connection settings. */
export const pagesObject = notionPagesObject('pages', 'Pages', null);
