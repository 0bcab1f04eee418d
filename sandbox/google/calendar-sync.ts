import { GoogleApiError } from './errors.ts';
import type { GoogleIds } from './ids.ts';
import type { CalendarStore, EventRecord } from './data/calendar-store.ts';

/**
 * How long a Calendar sync token stays valid. Google does not publish it ("sync tokens
 * expire ... or are invalidated by the server"); a week is this simulator's choice, and
 * the control API can invalidate every token at once.
 */
export const CALENDAR_SYNC_TOKEN_TTL_MS = 7 * 86_400_000;

interface WalkEntry {
  mode: 'full' | 'incremental';
  after: number;
  snapshotSeq: number;
  snapshotOrder: number;
  fromSeq: number;
  showDeleted: boolean;
  timeMin: number | null;
  timeMax: number | null;
  updatedMin: number | null;
}

export interface EventsPage {
  items: EventRecord[];
  nextPageToken?: string;
  nextSyncToken?: string;
}

/** 410 Gone, `fullSyncRequired`: the client must wipe its copy and sync in full. */
export function fullSyncRequired(): GoogleApiError {
  return new GoogleApiError(410, 'Sync token is no longer valid, a full sync is required.', { reason: 'fullSyncRequired' });
}

function startOf(event: EventRecord): number {
  return Date.parse(event.start.dateTime ?? event.start.date ?? '') || 0;
}
function endOf(event: EventRecord): number {
  return Date.parse(event.end.dateTime ?? event.end.date ?? '') || 0;
}

/**
 * `events.list` paging and incremental sync for one calendar: a full walk (cancelled
 * events only with `showDeleted`), then incremental walks from `nextSyncToken` that
 * always include cancelled events. Unknown, expired or invalidated tokens answer 410.
 */
export class CalendarSync {
  private readonly syncTokens = new Map<string, { seq: number; issuedAt: number; calendarId: string }>();
  private readonly pageTokens = new Map<string, WalkEntry & { calendarId: string }>();

  constructor(
    private ids: GoogleIds,
    private readonly store: CalendarStore,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.invalidateAll();
  }

  /** Server-side invalidation: every outstanding sync token answers 410 from now on. */
  invalidateAll(): number {
    const n = this.syncTokens.size;
    this.syncTokens.clear();
    this.pageTokens.clear();
    return n;
  }

  list(
    calendarId: string,
    input: { maxResults: number; pageToken?: string; syncToken?: string; showDeleted: boolean; timeMin: number | null; timeMax: number | null; updatedMin: number | null },
  ): EventsPage {
    let walk: WalkEntry;
    if (input.pageToken !== undefined) {
      const entry = this.pageTokens.get(input.pageToken);
      if (!entry || entry.calendarId !== calendarId) throw new GoogleApiError(400, 'Invalid page token value.', { reason: 'invalid', location: 'pageToken', locationType: 'parameter' });
      walk = entry;
    } else if (input.syncToken !== undefined) {
      const entry = this.syncTokens.get(input.syncToken);
      if (!entry || entry.calendarId !== calendarId || this.now() >= entry.issuedAt + this.ttlMs) throw fullSyncRequired();
      walk = { mode: 'incremental', after: entry.seq, snapshotSeq: this.store.seq, snapshotOrder: Number.MAX_SAFE_INTEGER, fromSeq: entry.seq, showDeleted: true, timeMin: null, timeMax: null, updatedMin: null };
    } else {
      let snapshotOrder = 0;
      for (const e of this.store.eventsOf(calendarId)) snapshotOrder = Math.max(snapshotOrder, e.order);
      walk = {
        mode: 'full',
        after: 0,
        snapshotSeq: this.store.seq,
        snapshotOrder,
        fromSeq: 0,
        showDeleted: input.showDeleted,
        timeMin: input.timeMin,
        timeMax: input.timeMax,
        updatedMin: input.updatedMin,
      };
    }
    const events = this.store.eventsOf(calendarId);
    const scope =
      walk.mode === 'full'
        ? events.filter(
            (e) =>
              e.order <= walk.snapshotOrder &&
              // With updatedMin, events deleted since then always come back (Calendar docs).
              (walk.showDeleted || walk.updatedMin !== null || e.status !== 'cancelled') &&
              (walk.updatedMin === null || e.updatedAt >= walk.updatedMin) &&
              (walk.timeMin === null || endOf(e) > walk.timeMin) &&
              (walk.timeMax === null || startOf(e) < walk.timeMax),
          )
        : events.filter((e) => e.seq > walk.fromSeq && e.seq <= walk.snapshotSeq).sort((a, b) => a.seq - b.seq);
    const keyOf = (e: EventRecord) => (walk.mode === 'full' ? e.order : e.seq);
    const remaining = scope.filter((e) => keyOf(e) > walk.after);
    const items = remaining.slice(0, input.maxResults);
    const last = items[items.length - 1];
    if (remaining.length > items.length && last) {
      const token = this.ids.token('C');
      this.pageTokens.set(token, { ...walk, after: keyOf(last), calendarId });
      if (this.pageTokens.size > 100_000) this.pageTokens.delete(this.pageTokens.keys().next().value as string);
      return { items, nextPageToken: token };
    }
    const token = this.ids.token('CP');
    this.syncTokens.set(token, { seq: walk.snapshotSeq, issuedAt: this.now(), calendarId });
    return { items, nextSyncToken: token };
  }
}
