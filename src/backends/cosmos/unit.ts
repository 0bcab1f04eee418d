import type { Container, JSONObject, OperationInput, SqlParameter } from '@azure/cosmos';
import { TributaryError } from '../../domain/errors.ts';
import type { ContainerName } from './containers.ts';
import { stripSystem, type Doc } from './doc.ts';
import { commitOperations, type PlannedOperation } from './commit.ts';
import { cosmosCall } from './errors.ts';

export type { Doc };

interface StoredDoc extends Doc {
  readonly _etag: string;
}

/** What one unit knows of one document: as read (`before`) and as it will be written (`after`). */
interface Entry {
  readonly container: ContainerName;
  readonly pk: string;
  readonly id: string;
  /** undefined: never read (a blind create); null: read and absent. */
  before: StoredDoc | null | undefined;
  /** undefined: unchanged; null: deleted. */
  after: Doc | null | undefined;
  /** Created by `createIfAbsent`: someone else creating it first is a race to rerun, not a duplicate. */
  ifAbsent?: boolean;
}

/**
 * A unit of work over the Cosmos DB containers: reads go to the database (and see this
 * unit's own writes), writes are buffered and applied together by `commit` with
 * optimistic concurrency: every replaced or deleted document must still carry the ETag
 * it was read with, every created one must still be absent. A top-level repository call
 * is one unit; `Store.transaction` is one unit around the caller's function.
 *
 * Why hand-written: Cosmos DB has no multi-document transaction outside one partition of
 * one container, and the SDK offers no unit-of-work layer; this is the smallest one that
 * gives the Store port its atomic, no-lost-update semantics (see commit.ts for how the
 * writes are applied).
 */
export class CosmosUnit {
  readonly #containers: (name: ContainerName) => Container;
  readonly #entries = new Map<string, Entry>();
  /** Epoch ms, for the commit journal. */
  readonly #now: () => number;
  #open = true;

  constructor(containers: (name: ContainerName) => Container, now: () => number) {
    this.#containers = containers;
    this.#now = now;
  }

  /** A point read (1 RU); sees this unit's writes. */
  async get<T extends Doc>(container: ContainerName, pk: string, id: string): Promise<T | null> {
    this.#checkOpen();
    const entry = this.#entry(container, pk, id);
    if (entry.after !== undefined) return entry.after === null ? null : (structuredClone(entry.after) as T);
    if (entry.before === undefined) {
      const response = await cosmosCall(() => this.#containers(container).item(id, pk).read<StoredDoc>());
      this.#checkOpen();
      if (entry.before === undefined) entry.before = response.resource ? (response.resource as StoredDoc) : null;
    }
    return entry.before === null ? null : (stripSystem(structuredClone(entry.before)) as unknown as T);
  }

  /**
   * A query against committed data (within `pk` when given, else across partitions),
   * with this unit's replacements and deletions laid over the results. Documents this
   * unit created are not added: repositories read their own creates by id only.
   */
  async query<T extends Doc>(container: ContainerName, query: string, parameters: Record<string, unknown> = {}, pk?: string): Promise<T[]> {
    this.#checkOpen();
    // The partition is also a filter: the SDK option routes the query, the filter makes any server honour it.
    const scoped = pk === undefined ? query : query.replace(' WHERE ', ' WHERE c.pk = @pk AND ');
    if (pk !== undefined && scoped === query) throw new TributaryError('INTERNAL', 'A partition-scoped Cosmos query needs a WHERE clause');
    const all = pk === undefined ? parameters : { ...parameters, pk };
    const params: SqlParameter[] = Object.entries(all).map(([name, value]) => ({ name: `@${name}`, value: value as JSONObject }));
    const response = await cosmosCall(() =>
      this.#containers(container)
        .items.query<StoredDoc>({ query: scoped, parameters: params }, pk === undefined ? {} : { partitionKey: pk })
        .fetchAll(),
    );
    this.#checkOpen();
    const out: T[] = [];
    for (const doc of response.resources) {
      if (typeof doc !== 'object' || doc === null || typeof doc.id !== 'string' || typeof doc.pk !== 'string') {
        out.push(doc as unknown as T); // a projection (VALUE ...): nothing to overlay
        continue;
      }
      const entry = this.#entry(container, doc.pk, doc.id);
      if (entry.before === undefined) entry.before = doc;
      if (entry.after === null) continue;
      out.push(structuredClone(entry.after ?? stripSystem(doc)) as unknown as T);
    }
    return out;
  }

  /** Creates a document; CONFLICT (now or at commit) when it exists. */
  create(container: ContainerName, doc: Doc): void {
    this.#checkOpen();
    const entry = this.#entry(container, doc.pk, doc.id);
    const visible = entry.after !== undefined ? entry.after : entry.before;
    if (visible) throw new TributaryError('CONFLICT', `A ${doc.docKind} with this id already exists`, { details: { id: doc.id } });
    entry.after = structuredClone(doc);
  }

  /**
   * Creates a document unless it is known to exist (read, queried or created in this
   * unit): "insert unless present" for documents whose id is their key. Call it after a
   * query that would have returned the document; one created meanwhile by another writer
   * makes the unit run again, where the query then finds it.
   */
  createIfAbsent(container: ContainerName, doc: Doc): void {
    this.#checkOpen();
    const entry = this.#entry(container, doc.pk, doc.id);
    const visible = entry.after !== undefined ? entry.after : entry.before;
    if (visible) return;
    entry.after = structuredClone(doc);
    entry.ifAbsent = true;
  }

  /** Writes a document read (or created) in this unit, whole. */
  put(container: ContainerName, doc: Doc): void {
    this.#checkOpen();
    const entry = this.#readEntry(container, doc.pk, doc.id);
    entry.after = structuredClone(doc);
  }

  /** Deletes a document read in this unit (absent: nothing to do). */
  delete(container: ContainerName, pk: string, id: string): void {
    this.#checkOpen();
    const entry = this.#readEntry(container, pk, id);
    entry.after = null;
  }

  /** Applies the buffered writes (see commit.ts); the unit cannot be used afterwards. */
  async commit(): Promise<void> {
    this.#checkOpen();
    this.#open = false;
    const planned: PlannedOperation[] = [];
    for (const entry of this.#entries.values()) {
      const operation = plan(entry);
      if (operation) planned.push(operation);
    }
    await commitOperations(this.#containers, planned, this.#now());
  }

  /** Ends the unit without writing (rollback). */
  discard(): void {
    this.#open = false;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  #entry(container: ContainerName, pk: string, id: string): Entry {
    const key = JSON.stringify([container, pk, id]);
    let entry = this.#entries.get(key);
    if (!entry) {
      entry = { container, pk, id, before: undefined, after: undefined };
      this.#entries.set(key, entry);
    }
    return entry;
  }

  #readEntry(container: ContainerName, pk: string, id: string): Entry {
    const entry = this.#entry(container, pk, id);
    if (entry.before === undefined && entry.after === undefined) {
      throw new TributaryError('INTERNAL', `Cosmos unit: ${container}/${id} written without being read first`);
    }
    return entry;
  }

  #checkOpen(): void {
    if (!this.#open) throw new TributaryError('INTERNAL', 'A Cosmos DB store unit was used after it ended');
  }
}

/** The one operation that takes a document from `before` to `after`, with its precondition. */
function plan(entry: Entry): PlannedOperation | null {
  const { after, before } = entry;
  if (after === undefined) return null;
  const base = { container: entry.container, pk: entry.pk, id: entry.id, before: before ? stripSystem(before) : null, ifAbsent: entry.ifAbsent === true };
  if (after === null) {
    if (!before) return null;
    // The SDK's DeleteOperationInput type lacks ifMatch, but the batch API takes it on every operation.
    return { ...base, input: { operationType: 'Delete', id: entry.id, ifMatch: before._etag } as OperationInput };
  }
  const body = after as unknown as JSONObject;
  if (!before) return { ...base, input: { operationType: 'Create', resourceBody: body } satisfies OperationInput };
  return { ...base, input: { operationType: 'Replace', id: entry.id, resourceBody: body, ifMatch: before._etag } satisfies OperationInput };
}
