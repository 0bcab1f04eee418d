/**
 * Workspace users (`GET /v1/users`, cursor pagination, ≤ 100 a page). Notion has no
 * change filter for users: every run lists them all and the engine detects changes;
 * a removed member simply stops appearing (no tombstones). Read-only.
 */
import type { ChangePage, Cursor, ExternalRecord, ObjectDefinition } from '../../provider.ts';
import { notionCall } from '../client.ts';
import { isNotionNotFound } from '../errors.ts';

type NotionUser = Record<string, unknown> & { id: string };

function userRecord(user: NotionUser): ExternalRecord {
  return { id: user.id, version: null, modifiedAt: null, data: user };
}

export const usersObject: ObjectDefinition = {
  name: 'users',
  label: 'Users',
  capabilities: { incremental: false, deletions: 'none', create: false, update: false, delete: false, batch: false, webhooks: false, precondition: 'none' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const startCursor = typeof cursor?.startCursor === 'string' ? cursor.startCursor : undefined;
    const answer = await notionCall<{ results?: NotionUser[]; has_more?: boolean; next_cursor?: string | null }>(ctx, {
      method: 'GET',
      path: 'v1/users',
      query: { page_size: Math.min(options.pageSize ?? 100, 100), start_cursor: startCursor },
      operation: 'read',
    });
    const more = answer.has_more === true && !!answer.next_cursor;
    const next: Cursor = more ? { startCursor: answer.next_cursor } : {};
    return { records: (answer.results ?? []).map(userRecord), deletions: [], cursor: next, done: !more };
  },

  async fetchOne(ctx, id) {
    try {
      return userRecord(await notionCall<NotionUser>(ctx, { method: 'GET', path: `v1/users/${encodeURIComponent(id)}`, operation: 'read' }));
    } catch (error) {
      if (isNotionNotFound(error)) return null;
      throw error;
    }
  },
};
