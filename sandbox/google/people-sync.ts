import { GoogleApiError, invalidArgument } from './errors.ts';
import type { GoogleIds } from './ids.ts';
import type { ContactRecord, PeopleStore } from './data/people-store.ts';

/** "Sync tokens expire 7 days after the full sync" (people.connections.list). */
export const PEOPLE_SYNC_TOKEN_TTL_MS = 7 * 86_400_000;

interface SyncTokenEntry {
  seq: number;
  /** When the full sync that started this chain of tokens began. */
  fullSyncAt: number;
}

interface PageTokenEntry {
  mode: 'full' | 'incremental';
  /** Last `order` (full) or `seq` (incremental) returned. */
  after: number;
  snapshotSeq: number;
  snapshotOrder: number;
  fromSeq: number;
  fullSyncAt: number;
  signature: string;
}

export interface ConnectionsPage {
  items: ContactRecord[];
  totalItems: number;
  nextPageToken?: string;
  nextSyncToken?: string;
}

/**
 * `people.connections.list` paging and sync: a full walk in creation order up to the
 * contacts that existed when it began; an incremental walk (with `syncToken`) of every
 * change after the token, deletions included as tombstones. Page tokens pin the walk's
 * snapshot and parameters; `nextSyncToken` comes on the last page only.
 */
export class PeopleSync {
  private readonly syncTokens = new Map<string, SyncTokenEntry>();
  private readonly pageTokens = new Map<string, PageTokenEntry>();

  constructor(
    private ids: GoogleIds,
    private readonly store: PeopleStore,
    private readonly now: () => number,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.syncTokens.clear();
    this.pageTokens.clear();
  }

  list(input: { pageSize: number; pageToken?: string; syncToken?: string; requestSyncToken: boolean; signature: string }): ConnectionsPage {
    let walk: PageTokenEntry;
    if (input.pageToken !== undefined) {
      const entry = this.pageTokens.get(input.pageToken);
      if (!entry) throw invalidArgument('Page token is not valid.');
      if (entry.signature !== input.signature) throw invalidArgument('Parameters provided with a page token must match the call that provided the page token.');
      walk = entry;
    } else if (input.syncToken !== undefined) {
      const entry = this.syncTokens.get(input.syncToken);
      if (!entry) throw invalidArgument('Sync token is not valid.');
      if (this.now() >= entry.fullSyncAt + PEOPLE_SYNC_TOKEN_TTL_MS) {
        throw new GoogleApiError(400, 'Sync token is expired. Clear local cache and retry call without the sync token.', {
          status: 'FAILED_PRECONDITION',
          details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'EXPIRED_SYNC_TOKEN', domain: 'people.googleapis.com' }],
        });
      }
      walk = { mode: 'incremental', after: entry.seq, snapshotSeq: this.store.seq, snapshotOrder: this.store.lastOrder, fromSeq: entry.seq, fullSyncAt: entry.fullSyncAt, signature: input.signature };
    } else {
      walk = { mode: 'full', after: 0, snapshotSeq: this.store.seq, snapshotOrder: this.store.lastOrder, fromSeq: 0, fullSyncAt: this.now(), signature: input.signature };
    }

    const { items, more, total } = walk.mode === 'full' ? this.fullPage(walk, input.pageSize) : this.changesPage(walk, input.pageSize);
    const keyOf = (c: ContactRecord) => (walk.mode === 'full' ? c.order : c.seq);
    const page: ConnectionsPage = { items, totalItems: total };
    const last = items[items.length - 1];
    if (more && last) {
      const token = this.ids.token();
      this.pageTokens.set(token, { ...walk, after: keyOf(last) });
      if (this.pageTokens.size > 100_000) this.pageTokens.delete(this.pageTokens.keys().next().value as string);
      page.nextPageToken = token;
    } else if (input.requestSyncToken) {
      const token = this.ids.token('E');
      this.syncTokens.set(token, { seq: walk.snapshotSeq, fullSyncAt: walk.fullSyncAt });
      page.nextSyncToken = token;
    }
    return page;
  }

  /** Live contacts created up to the snapshot, in creation order, after `walk.after`. */
  private fullPage(walk: PageTokenEntry, pageSize: number): { items: ContactRecord[]; more: boolean; total: number } {
    const ordered = this.store.ordered;
    let lo = 0;
    let hi = ordered.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ordered[mid] as ContactRecord).order <= walk.after) lo = mid + 1;
      else hi = mid;
    }
    const items: ContactRecord[] = [];
    let more = false;
    for (let i = lo; i < ordered.length; i++) {
      const c = ordered[i] as ContactRecord;
      if (c.order > walk.snapshotOrder) break;
      if (c.deleted) continue;
      if (items.length === pageSize) {
        more = true;
        break;
      }
      items.push(c);
    }
    let total = 0;
    for (const c of ordered) if (!c.deleted && c.order <= walk.snapshotOrder) total++;
    return { items, more, total };
  }

  /** Every contact changed after the token up to the snapshot (tombstones too), by change order. */
  private changesPage(walk: PageTokenEntry, pageSize: number): { items: ContactRecord[]; more: boolean; total: number } {
    const scope = this.store.ordered.filter((c) => c.seq > walk.fromSeq && c.seq <= walk.snapshotSeq).sort((a, b) => a.seq - b.seq);
    const remaining = scope.filter((c) => c.seq > walk.after);
    return { items: remaining.slice(0, pageSize), more: remaining.length > pageSize, total: scope.length };
  }
}
