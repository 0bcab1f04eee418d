/** A stored document: `pk` is its partition (the tenant id for tenant-owned documents), `docKind` its record type. */
export interface Doc {
  readonly id: string;
  readonly pk: string;
  readonly docKind: string;
  readonly [field: string]: unknown;
}

const SYSTEM_FIELDS = ['_rid', '_self', '_etag', '_attachments', '_ts'];

/** A document without the fields Cosmos DB adds. */
export function stripSystem<T extends Doc>(doc: T): T {
  const copy: Record<string, unknown> = { ...doc };
  for (const field of SYSTEM_FIELDS) delete copy[field];
  return copy as T;
}
