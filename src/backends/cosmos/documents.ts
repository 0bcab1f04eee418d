import { createHash } from 'node:crypto';
import { resolvePage, toPage, type SortKey } from '../rows/pagination.ts';
import type { Page, PageRequest } from '../../ports/store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ContainerName } from './containers.ts';
import type { CosmosUnit, Doc } from './unit.ts';

/**
 * How records become documents: the record's own fields as they are (JSON), plus
 * `id` = `<kind>:<key>` (kinds share containers, so ids are prefixed to stay apart),
 * `pk` (the partition: the tenant id), `docKind` (the record type), and `rid` (the record's own id). Records
 * that expire also carry `expiresAtMs` (for `purgeExpired`) and `ttl` (seconds, so
 * Cosmos DB drops them by itself even when no purge runs).
 */
const META_FIELDS = ['id', 'pk', 'docKind', 'rid', 'ttl', 'expiresAtMs', '_rid', '_self', '_etag', '_attachments', '_ts'];

/**
 * A document id for a record key: Cosmos DB ids may not hold '/', '\\', '?' or '#' and
 * stop at 255 characters, while keys are provider ids of any shape: the key is
 * URI-encoded, and hashed when still too long.
 */
export function docId(kind: string, key: string): string {
  const encoded = encodeURIComponent(key);
  return encoded.length <= 200 ? `${kind}:${encoded}` : `${kind}:#${createHash('sha256').update(key).digest('hex')}`.replace('#', 'h');
}

export function toDoc(kind: string, pk: string, key: string, record: object, extra: Record<string, unknown> = {}): Doc {
  const rid = (record as { id?: unknown }).id;
  return { ...record, ...extra, id: docId(kind, key), pk, docKind: kind, ...(rid === undefined ? {} : { rid }) };
}

export function fromDoc<T>(doc: Doc): T {
  const out: Record<string, unknown> = { ...doc };
  for (const field of META_FIELDS) delete out[field];
  if (doc.rid !== undefined) out.id = doc.rid;
  return out as T;
}

/** `expiresAtMs` and the matching `ttl` for a record kept until `expiresAt` (ISO; null: forever). */
export function expiryFields(expiresAt: string | null | undefined, clock: Clock): Record<string, unknown> {
  if (expiresAt === null || expiresAt === undefined) return { expiresAtMs: null };
  const at = Date.parse(expiresAt);
  return { expiresAtMs: at, ttl: Math.max(1, Math.ceil((at - clock.now()) / 1000)) };
}

/**
 * One page of a keyset-paginated query, in the same cursor format as the SQL stores:
 * `where` (AND-ed, may be empty) filters, `sort` names the time field, ties broken by
 * the record id (`rid`). Newest first when `descending`.
 */
export async function pageQuery<T>(
  unit: CosmosUnit,
  container: ContainerName,
  spec: { kind: string; where?: string[]; parameters?: Record<string, unknown>; sort: string; descending?: boolean; pk?: string },
  page: PageRequest | undefined,
  map: (doc: Doc) => T,
): Promise<Page<T>> {
  const { limit, after } = resolvePage(page);
  const where = ['c.docKind = @kind', ...(spec.where ?? [])];
  const parameters: Record<string, unknown> = { ...spec.parameters, kind: spec.kind };
  const cmp = spec.descending ? '<' : '>';
  if (after) {
    where.push(`(c.${spec.sort} ${cmp} @afterTime OR (c.${spec.sort} = @afterTime AND c.id ${cmp} @afterId))`);
    parameters.afterTime = after[0];
    parameters.afterId = docId(spec.kind, after[1]);
  }
  const order = spec.descending ? 'DESC' : 'ASC';
  const docs = await unit.query<Doc>(
    container,
    `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.${spec.sort} ${order}, c.id ${order}`,
    parameters,
    spec.pk,
  );
  return toPage(docs, limit, (doc): SortKey => [String(doc[spec.sort]), String(doc.rid)], map);
}

/** `record` with the fields present in `patch` (undefined: absent, left alone). */
export function withPatch<T extends object>(record: T, patch: object, extra: Partial<T> = {}): T {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...record, ...defined, ...extra };
}

/** A TOP clause's count: a non-negative integer whatever the caller passed. */
export function top(limit: number): number {
  return Math.max(0, Math.min(1000, Math.floor(limit)));
}
