/**
 * Calendar events of one calendar (settings.calendarId, default `primary`):
 * `events.list` with sync tokens. The cursor is `{syncToken?, pageToken?}` like
 * contacts; the full sync asks `showDeleted=true` so that cancelled events present at
 * the time are reported as deletions too, and incremental runs always include them.
 * `status: "cancelled"` is a deletion. A sync token Google no longer accepts answers
 * 410 (`fullSyncRequired`), classified CURSOR_EXPIRED.
 *
 * Writes: insert, patch with `If-Match: <etag>` (412 -> CONFLICT), delete (with
 * If-Match when the caller gives a version).
 */
import type { ChangePage, ExternalRecord, ObjectDefinition, ProviderContext } from '../../provider.ts';
import { CALENDAR_API, googleCall, stringSetting } from '../client.ts';
import { isGoogleGone } from '../errors.ts';
import type { GoogleSyncCursor } from './contacts.ts';

type CalendarEvent = Record<string, unknown> & { id: string; etag?: string; status?: string; updated?: string };

function eventsPath(ctx: ProviderContext): string {
  return `${CALENDAR_API}calendars/${encodeURIComponent(stringSetting(ctx, 'calendarId', 'primary'))}/events`;
}

export function eventRecord(event: CalendarEvent): ExternalRecord {
  return { id: event.id, version: event.etag ?? null, modifiedAt: event.updated ?? null, data: event };
}

function ifMatch(version: string | null | undefined): Record<string, string> | undefined {
  return version ? { 'if-match': version } : undefined;
}

export const eventsObject: ObjectDefinition = {
  name: 'events',
  label: 'Calendar events',
  capabilities: { incremental: true, deletions: 'tombstones', create: true, update: true, delete: true, batch: false, webhooks: true, precondition: 'etag' },

  async readPage(ctx, cursor, options): Promise<ChangePage> {
    const state = (cursor ?? {}) as GoogleSyncCursor;
    const answer = await googleCall<{ items?: CalendarEvent[]; nextPageToken?: string; nextSyncToken?: string }>(ctx, {
      method: 'GET',
      path: eventsPath(ctx),
      query: {
        maxResults: Math.min(options.pageSize ?? 250, 2500),
        syncToken: state.syncToken,
        pageToken: state.pageToken,
        showDeleted: state.syncToken ? undefined : true,
      },
      operation: 'read',
    });
    const page: ChangePage = { records: [], deletions: [], cursor: {}, done: false };
    for (const event of answer.items ?? []) {
      if (event.status === 'cancelled') page.deletions.push({ id: event.id, deletedAt: event.updated ?? null });
      else page.records.push(eventRecord(event));
    }
    if (answer.nextPageToken) {
      const next: GoogleSyncCursor = { pageToken: answer.nextPageToken };
      if (state.syncToken) next.syncToken = state.syncToken;
      page.cursor = next;
      return page;
    }
    page.cursor = answer.nextSyncToken ? ({ syncToken: answer.nextSyncToken } satisfies GoogleSyncCursor) : {};
    page.done = true;
    return page;
  },

  async fetchOne(ctx, id) {
    try {
      const event = await googleCall<CalendarEvent>(ctx, { method: 'GET', path: `${eventsPath(ctx)}/${encodeURIComponent(id)}`, operation: 'read' });
      return event.status === 'cancelled' ? null : eventRecord(event);
    } catch (error) {
      if (isGoogleGone(error)) return null;
      throw error;
    }
  },

  /** `data` is a Calendar `Event` (summary, start, end, attendees, ...). */
  async create(ctx, data) {
    return eventRecord(await googleCall<CalendarEvent>(ctx, { method: 'POST', path: eventsPath(ctx), body: data, operation: 'write' }));
  },

  async update(ctx, id, patch, options) {
    return eventRecord(
      await googleCall<CalendarEvent>(ctx, {
        method: 'PATCH',
        path: `${eventsPath(ctx)}/${encodeURIComponent(id)}`,
        headers: ifMatch(options?.expectedVersion),
        body: patch,
        operation: 'write',
      }),
    );
  },

  /** Deleting an event that is already gone (404, 410 "deleted") succeeds. */
  async delete(ctx, id, options) {
    try {
      await googleCall(ctx, { method: 'DELETE', path: `${eventsPath(ctx)}/${encodeURIComponent(id)}`, headers: ifMatch(options?.expectedVersion), operation: 'write' });
    } catch (error) {
      if (!isGoogleGone(error)) throw error;
    }
  },
};
