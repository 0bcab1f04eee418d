import type { ObjectDef } from './schema.ts';

/**
 * One sObject record. Field values are held as Salesforce returns them, except the
 * system dates, which live as epoch ms in `created` / `modstamp` and are rendered on output.
 */
export interface SfRecord {
  /** 18-char id. */
  id: string;
  /** Lookup key (15-char id). */
  key: string;
  type: string;
  fields: Record<string, unknown>;
  created: number;
  /** SystemModstamp = LastModifiedDate (user edits move both). */
  modstamp: number;
  deletedAt: number | null;
  truthId: string | null;
}

const before = (a: SfRecord, modstamp: number, id: string) => a.modstamp < modstamp || (a.modstamp === modstamp && a.id < id);

/**
 * The records of one sObject type, kept in (SystemModstamp, Id) order so that incremental
 * queries start with a binary search and full walks never re-sort. Deleted records stay
 * in the order (queryAll sees them) and in the delete log until purged (15 days).
 */
export class ObjectStore {
  readonly def: ObjectDef;
  private byKey = new Map<string, SfRecord>();
  /** Every record, live and deleted, ascending by (modstamp, id). */
  private order: SfRecord[] = [];
  /** Deleted records in deletion order. */
  private deleteLog: SfRecord[] = [];
  private live = 0;
  /** The latest physical purge (ms): the delete log holds nothing older. */
  purgedUntil = 0;

  constructor(def: ObjectDef) {
    this.def = def;
  }

  /** Bulk load for seeding: replaces everything, sorts once. */
  load(records: SfRecord[]): void {
    this.byKey = new Map(records.map((r) => [r.key, r]));
    this.order = [...records].sort((a, b) => a.modstamp - b.modstamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.deleteLog = this.order.filter((r) => r.deletedAt !== null).sort((a, b) => (a.deletedAt as number) - (b.deletedAt as number));
    this.live = records.length - this.deleteLog.length;
    this.purgedUntil = 0;
  }

  get(key: string): SfRecord | undefined {
    return this.byKey.get(key);
  }

  liveCount(): number {
    return this.live;
  }

  /** All records (live and deleted) in modstamp order, from the first with modstamp > (or >=) `after`. */
  orderedFrom(after: number | null, inclusive: boolean): { records: readonly SfRecord[]; start: number } {
    if (after === null) return { records: this.order, start: 0 };
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = (this.order[mid] as SfRecord).modstamp;
      if (inclusive ? m < after : m <= after) lo = mid + 1;
      else hi = mid;
    }
    return { records: this.order, start: lo };
  }

  insert(record: SfRecord): void {
    this.byKey.set(record.key, record);
    this.place(record);
    if (record.deletedAt === null) this.live++;
  }

  /** Moves a record to a new modstamp (an edit or a delete). */
  touch(record: SfRecord, modstamp: number): void {
    this.unplace(record);
    record.modstamp = modstamp;
    this.place(record);
  }

  markDeleted(record: SfRecord, at: number): void {
    record.deletedAt = at;
    record.fields.IsDeleted = true;
    this.touch(record, at);
    this.deleteLog.push(record);
    this.live--;
  }

  /** Deleted records with deletedAt in [from, to]. */
  deletedBetween(from: number, to: number): SfRecord[] {
    let lo = 0;
    let hi = this.deleteLog.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.deleteLog[mid] as SfRecord).deletedAt! < from) lo = mid + 1;
      else hi = mid;
    }
    const out: SfRecord[] = [];
    for (let i = lo; i < this.deleteLog.length; i++) {
      const r = this.deleteLog[i] as SfRecord;
      if ((r.deletedAt as number) > to) break;
      out.push(r);
    }
    return out;
  }

  /** Physically removes deleted records whose deletion is at or before `until` (Recycle Bin emptied). */
  purge(until: number): number {
    const keep: SfRecord[] = [];
    let removed = 0;
    for (const r of this.deleteLog) {
      if ((r.deletedAt as number) <= until) {
        this.byKey.delete(r.key);
        removed++;
      } else keep.push(r);
    }
    if (removed > 0) {
      this.deleteLog = keep;
      this.order = this.order.filter((r) => this.byKey.has(r.key));
    }
    this.purgedUntil = Math.max(this.purgedUntil, until);
    return removed;
  }

  private place(record: SfRecord): void {
    const last = this.order[this.order.length - 1];
    if (!last || !before(record, last.modstamp, last.id)) {
      this.order.push(record);
      return;
    }
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.order[mid] as SfRecord, record.modstamp, record.id)) lo = mid + 1;
      else hi = mid;
    }
    this.order.splice(lo, 0, record);
  }

  private unplace(record: SfRecord): void {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.order[mid] as SfRecord, record.modstamp, record.id)) lo = mid + 1;
      else hi = mid;
    }
    if (this.order[lo] === record) this.order.splice(lo, 1);
    else {
      const i = this.order.indexOf(record);
      if (i >= 0) this.order.splice(i, 1);
    }
  }
}
