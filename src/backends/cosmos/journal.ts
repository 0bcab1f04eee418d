import { randomUUID } from 'node:crypto';
import type { Container, JSONObject } from '@azure/cosmos';
import type { ContainerName } from './containers.ts';
import { GLOBAL_PARTITIONS } from './containers.ts';
import { stripSystem, type Doc } from './doc.ts';
import { cosmosCall, cosmosStatus, translateCosmosError } from './errors.ts';

/**
 * The commit journal of units that span several (container, partition) groups, so that a
 * process dying between two groups leaves no half-applied unit behind for good. Before
 * the first group, one journal document (a single, atomic create) records every write
 * with the document before and after and the ETag it requires; it is deleted once the
 * unit is applied, or once a failed unit is undone. A journal left behind is finished by
 * `recoverJournals` (run by `migrate` at start and by `purgeExpired`):
 * - `applying`: rolled forward: each write whose document is still as the unit found it
 *   (same ETag, or still absent) is applied; one already applied is left; one that
 *   somebody changed since is skipped (their write wins);
 * - `aborting` (the undo of a failed unit did not finish): rolled back: each document
 *   still as the unit left it is restored.
 * Journals live in the `tenants` container, partition `_journal`. A unit whose journal
 * would pass 1.5 MB (Cosmos DB's 2 MB document limit) commits without one.
 */

export interface JournalEntry {
  readonly container: ContainerName;
  readonly pk: string;
  readonly id: string;
  /** The document as the unit leaves it; null: deleted. */
  readonly after: Doc | null;
  /** The document as the unit found it; null: absent. */
  readonly before: Doc | null;
  /** The ETag the write requires (replace, delete). */
  readonly ifMatch: string | null;
}

interface JournalDoc extends Doc {
  readonly status: 'applying' | 'aborting';
  readonly createdAtMs: number;
  readonly entries: JournalEntry[];
}

const JOURNAL = 'journal';
const MAX_JOURNAL_BYTES = 1_500_000;

/** Writes the journal of a multi-group unit; null when it would be too large to keep. */
export async function openJournal(tenants: Container, entries: JournalEntry[], now: number): Promise<string | null> {
  const doc: JournalDoc = { id: `${JOURNAL}:${randomUUID()}`, pk: GLOBAL_PARTITIONS.journal, docKind: JOURNAL, status: 'applying', createdAtMs: now, entries };
  if (Buffer.byteLength(JSON.stringify(doc)) > MAX_JOURNAL_BYTES) return null;
  await cosmosCall(() => tenants.items.create(doc));
  return doc.id;
}

export async function markAborting(tenants: Container, id: string): Promise<void> {
  const { resource } = await cosmosCall(() => tenants.item(id, GLOBAL_PARTITIONS.journal).read<JournalDoc>());
  if (resource) await cosmosCall(() => tenants.item(id, GLOBAL_PARTITIONS.journal).replace({ ...stripSystem(resource), status: 'aborting' }));
}

export async function closeJournal(tenants: Container, id: string): Promise<void> {
  try {
    await tenants.item(id, GLOBAL_PARTITIONS.journal).delete();
  } catch (error) {
    if (cosmosStatus(error) !== 404) throw translateCosmosError(error);
  }
}

/** Finishes the journals older than `olderThanMs` (their unit's process is gone); returns how many. */
export async function recoverJournals(containers: (name: ContainerName) => Container, now: number, olderThanMs = 60_000): Promise<number> {
  const tenants = containers('tenants');
  const { resources } = await cosmosCall(() =>
    tenants.items
      .query<JournalDoc>(
        { query: 'SELECT * FROM c WHERE c.docKind = @kind AND c.createdAtMs <= @before', parameters: [{ name: '@kind', value: JOURNAL }, { name: '@before', value: now - olderThanMs }] },
        { partitionKey: GLOBAL_PARTITIONS.journal },
      )
      .fetchAll(),
  );
  for (const journal of resources) {
    const entries = journal.status === 'applying' ? journal.entries : [...journal.entries].reverse();
    for (const entry of entries) await (journal.status === 'applying' ? rollForward : rollBack)(containers(entry.container), entry);
    await closeJournal(tenants, journal.id);
  }
  return resources.length;
}

async function current(container: Container, entry: JournalEntry): Promise<(Doc & { _etag: string }) | null> {
  const { resource } = await cosmosCall(() => container.item(entry.id, entry.pk).read<Doc & { _etag: string }>());
  return resource ?? null;
}

async function rollForward(container: Container, entry: JournalEntry): Promise<void> {
  const now = await current(container, entry);
  if (sameContent(now, entry.after)) return;
  const untouched = entry.before === null ? now === null : now !== null && now._etag === entry.ifMatch;
  if (untouched) await write(container, entry.pk, entry.id, now, entry.after);
}

async function rollBack(container: Container, entry: JournalEntry): Promise<void> {
  const now = await current(container, entry);
  if (sameContent(now, entry.after) && !sameContent(now, entry.before)) await write(container, entry.pk, entry.id, now, entry.before);
}

/** Takes a document from `now` to `target`, conditioned on `now`'s ETag; a lost race is left to the winner. */
async function write(container: Container, pk: string, id: string, now: (Doc & { _etag: string }) | null, target: Doc | null): Promise<void> {
  const condition = now === null ? undefined : { accessCondition: { type: 'IfMatch', condition: now._etag } };
  try {
    if (target === null) {
      if (now !== null) await container.item(id, pk).delete(condition);
    } else if (now === null) {
      await container.items.create(target as unknown as JSONObject);
    } else {
      await container.item(id, pk).replace(target as unknown as JSONObject, condition);
    }
  } catch (error) {
    const status = cosmosStatus(error);
    if (status !== 404 && status !== 409 && status !== 412) throw translateCosmosError(error);
  }
}

/** Whether a stored document holds exactly `doc` (null: both absent), whatever the key order. */
function sameContent(stored: Doc | null, doc: Doc | null): boolean {
  if (stored === null || doc === null) return stored === doc;
  return canonical(stripSystem(stored)) === canonical(doc);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
