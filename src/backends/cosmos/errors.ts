import { TributaryError } from '../../domain/errors.ts';

/**
 * A unit of work lost an optimistic-concurrency race (an ETag precondition failed, or a
 * document it read was deleted meanwhile). The store runs the unit again; only when the
 * retries run out does the caller see it, as STORE_UNAVAILABLE (retryable), as the
 * Store port allows for clashing transactions.
 */
export class CosmosClash extends TributaryError {
  constructor(what: string) {
    super('STORE_UNAVAILABLE', `Cosmos DB: a concurrent write changed ${what}; the transaction was not applied`, { details: { reason: 'clash' } });
  }
}

/** The HTTP-like status of an @azure/cosmos failure, or undefined for a network failure. */
export function cosmosStatus(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof (error as { code: unknown }).code === 'number') {
    return (error as { code: number }).code;
  }
  return undefined;
}

/**
 * Any @azure/cosmos failure as a TributaryError: throttling (429), timeouts, 5xx and
 * network errors are STORE_UNAVAILABLE (retryable); a 400 is a query we built wrong (INTERNAL).
 */
export function translateCosmosError(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  const status = cosmosStatus(error);
  if (status === 400) return new TributaryError('INTERNAL', 'Cosmos DB refused a request the store built', { cause: error });
  if (status === 409) return new TributaryError('CONFLICT', 'Cosmos DB: the document already exists', { cause: error });
  return new TributaryError('STORE_UNAVAILABLE', `Cosmos DB did not answer${status === undefined ? '' : ` (status ${status})`}`, { cause: error });
}

/** Runs a Cosmos call and rethrows its failure translated. */
export async function cosmosCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw translateCosmosError(error);
  }
}
