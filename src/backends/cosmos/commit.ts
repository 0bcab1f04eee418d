import type { Container, JSONObject, OperationInput, OperationResponse } from '@azure/cosmos';
import { TributaryError } from '../../domain/errors.ts';
import type { ContainerName } from './containers.ts';
import { CosmosClash, translateCosmosError } from './errors.ts';
import { closeJournal, markAborting, openJournal, type JournalEntry } from './journal.ts';
import type { Doc } from './doc.ts';

/** One write of a unit, with the document as it was before (for undo). */
export interface PlannedOperation {
  readonly container: ContainerName;
  readonly pk: string;
  readonly id: string;
  readonly before: Doc | null;
  readonly input: OperationInput;
  /** A create that only had to happen if nobody else's did: a duplicate means the unit raced, not CONFLICT. */
  readonly ifAbsent: boolean;
}

interface Applied {
  readonly operation: PlannedOperation;
  /** The ETag the write left, so that the undo only touches what is still ours. */
  readonly etag: string | undefined;
}

/** Cosmos DB's limit on the operations of one transactional batch. */
export const MAX_BATCH_OPERATIONS = 100;

/**
 * Applies a unit's writes. The writes are grouped by (container, partition) and each
 * group goes as transactional batches of at most 100 operations, so a unit whose writes
 * fall in one partition of one container, at most 100 of them (a page's entity writes
 * and its cursor, a key and its hash index), commits atomically in Cosmos DB itself.
 * A unit spanning several groups applies them one after the other; when one fails (a
 * precondition, a duplicate, throttling), the groups already applied are undone in
 * reverse order, each undo conditioned on the ETag our write left. Batch results are read
 * per operation, so a server that applied part of a failed batch (the local test server
 * does; Cosmos DB does not) is undone the same way.
 *
 * A multi-group unit first writes a commit journal (journal.ts): a process that dies
 * between two groups leaves it behind, and recovery finishes the unit (or its undo).
 * Deliberately left out: another reader can see a multi-group unit half-applied for the
 * few milliseconds it takes (no read isolation across groups). Single-group units are
 * atomic in Cosmos DB itself and need no journal.
 */
export async function commitOperations(containers: (name: ContainerName) => Container, planned: readonly PlannedOperation[], now: number): Promise<void> {
  if (planned.length === 0) return;
  const chunks = chunksOf(planned);
  const journal = chunks.length > 1 ? await openJournal(containers('tenants'), planned.map(journalEntry), now) : null;
  const applied: Applied[] = [];
  const fail = async (error: TributaryError): Promise<never> => {
    if (journal !== null) await markAborting(containers('tenants'), journal);
    await undo(containers, applied);
    if (journal !== null) await closeJournal(containers('tenants'), journal);
    throw error;
  };
  for (const chunk of chunks) {
    const first = chunk[0]!;
    let results: OperationResponse[];
    try {
      const response = await containers(first.container).items.batch(
        // Copies with the partition on each operation: the SDK rewrites the inputs it is given.
        chunk.map((operation) => ({ ...operation.input, partitionKey: operation.pk }) as OperationInput),
        first.pk,
      );
      results = response.result ?? [];
    } catch (error) {
      return fail(translateCosmosError(error));
    }
    let failure: { operation: PlannedOperation; status: number } | null = null;
    chunk.forEach((operation, index) => {
      const status = results[index]?.statusCode ?? 500;
      if (status < 400) applied.push({ operation, etag: results[index]?.eTag });
      else if (status !== 424 && failure === null) failure = { operation, status };
    });
    if (failure === null && results.length < chunk.length) failure = { operation: first, status: 500 };
    if (failure !== null) return fail(failureError(failure));
  }
  if (journal !== null) await closeJournal(containers('tenants'), journal);
}

function journalEntry(operation: PlannedOperation): JournalEntry {
  const input = operation.input as OperationInput & { resourceBody?: JSONObject; ifMatch?: string };
  const after = input.operationType === 'Delete' ? null : ((input.resourceBody ?? null) as unknown as Doc | null);
  return { container: operation.container, pk: operation.pk, id: operation.id, after, before: operation.before, ifMatch: input.ifMatch ?? null };
}

/** Consecutive runs of one (container, partition), cut at the batch limit. */
function chunksOf(planned: readonly PlannedOperation[]): PlannedOperation[][] {
  const groups = new Map<string, PlannedOperation[]>();
  for (const operation of planned) {
    const key = JSON.stringify([operation.container, operation.pk]);
    const group = groups.get(key) ?? [];
    group.push(operation);
    groups.set(key, group);
  }
  const chunks: PlannedOperation[][] = [];
  for (const group of groups.values()) {
    for (let i = 0; i < group.length; i += MAX_BATCH_OPERATIONS) chunks.push(group.slice(i, i + MAX_BATCH_OPERATIONS));
  }
  return chunks;
}

function failureError({ operation, status }: { operation: PlannedOperation; status: number }): TributaryError {
  const what = `${operation.container}/${operation.id}`;
  const type = operation.input.operationType;
  if (status === 409 && type === 'Create' && operation.ifAbsent) return new CosmosClash(what);
  if (status === 409 && type === 'Create') {
    return new TributaryError('CONFLICT', 'A record with this id already exists', { details: { id: operation.id } });
  }
  if (status === 412 || (status === 404 && (type === 'Replace' || type === 'Delete'))) return new CosmosClash(what);
  if (status === 413) return new TributaryError('VALIDATION_FAILED', 'The record is larger than Cosmos DB allows (2 MB)', { details: { id: operation.id } });
  if (status === 400) return new TributaryError('INTERNAL', `Cosmos DB refused a write to ${what}`);
  return new TributaryError('STORE_UNAVAILABLE', `Cosmos DB did not apply a write (status ${status})`);
}

/** Reverts applied writes, newest first; each revert requires the document to be as we left it. */
async function undo(containers: (name: ContainerName) => Container, applied: Applied[]): Promise<void> {
  for (const { operation, etag } of applied.reverse()) {
    const revert = inverse(operation, etag);
    if (revert === null) continue;
    try {
      const response = await containers(operation.container).items.batch([{ ...revert, partitionKey: operation.pk } as OperationInput], operation.pk);
      const status = response.result?.[0]?.statusCode ?? 500;
      if (status >= 400) throw new Error(`status ${status}`);
    } catch (error) {
      throw new TributaryError('STORE_UNAVAILABLE', 'Cosmos DB: a failed transaction could not be fully undone', {
        details: { container: operation.container, id: operation.id },
        cause: error,
      });
    }
  }
}

function inverse(operation: PlannedOperation, etag: string | undefined): OperationInput | null {
  const condition = etag === undefined ? {} : { ifMatch: etag };
  switch (operation.input.operationType) {
    case 'Create':
      return { operationType: 'Delete', id: operation.id, ...condition };
    case 'Replace':
      return operation.before ? { operationType: 'Replace', id: operation.id, resourceBody: operation.before as unknown as JSONObject, ...condition } : null;
    case 'Delete':
      return operation.before ? { operationType: 'Create', resourceBody: operation.before as unknown as JSONObject } : null;
    default:
      return null;
  }
}
