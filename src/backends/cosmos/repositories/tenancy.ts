import { TributaryError } from '../../../domain/errors.ts';
import type { ApiKey, AuditEntry, Tenant } from '../../../domain/tenancy.ts';
import type { ApiKeyRepository, AuditFilter, AuditRepository, SecretRow, SecretRowRepository, TenantRepository } from '../../../ports/store.ts';
import { GLOBAL_PARTITIONS } from '../containers.ts';
import { docId, expiryFields, fromDoc, pageQuery, toDoc } from '../documents.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';

/** Tenants, API keys, the admin audit log and the local vault's rows on Cosmos DB. */

const TENANT = 'tenant';

/** NOT_FOUND unless the tenant exists (seen through the unit, so a tenant created in the same transaction counts). */
export async function requireTenant(unit: CosmosUnit, tenantId: string): Promise<void> {
  if (!(await unit.get('tenants', tenantId, docId(TENANT, tenantId)))) {
    throw new TributaryError('NOT_FOUND', 'No such tenant', { field: 'tenantId', details: { tenantId } });
  }
}

export function cosmosTenants(runner: UnitRunner): TenantRepository {
  return {
    insert: (tenant) => runner.run(async (unit) => unit.create('tenants', toDoc(TENANT, tenant.id, tenant.id, tenant))),
    get: (id) =>
      runner.run(async (unit) => {
        const doc = await unit.get('tenants', id, docId(TENANT, id));
        return doc ? fromDoc<Tenant>(doc) : null;
      }),
    list: (page) => runner.run((unit) => pageQuery(unit, 'tenants', { kind: TENANT, sort: 'createdAt' }, page, (doc) => fromDoc<Tenant>(doc))),
    update: (id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await unit.get('tenants', id, docId(TENANT, id));
        if (!doc) return null;
        const tenant: Tenant = {
          ...fromDoc<Tenant>(doc),
          ...(patch.name === undefined ? {} : { name: patch.name }),
          ...(patch.metadata === undefined ? {} : { metadata: patch.metadata }),
          updatedAt,
        };
        unit.put('tenants', toDoc(TENANT, id, id, tenant));
        return tenant;
      }),
  };
}

// API keys live in one partition with their hash index, so a key and its hash commit in one batch.
const KEY = 'apikey';
const HASH = 'apikeyhash';
const KEYS_PK = GLOBAL_PARTITIONS.apiKeys;

export function cosmosApiKeys(runner: UnitRunner): ApiKeyRepository {
  const read = async (unit: CosmosUnit, id: string): Promise<Doc | null> => unit.get('tenants', KEYS_PK, docId(KEY, id));
  return {
    insert: (key) =>
      runner.run(async (unit) => {
        if (key.tenantId !== null) await requireTenant(unit, key.tenantId);
        if (await unit.get('tenants', KEYS_PK, docId(HASH, key.hash))) {
          throw new TributaryError('CONFLICT', 'An API key with this hash already exists');
        }
        unit.create('tenants', toDoc(KEY, KEYS_PK, key.id, key));
        unit.create('tenants', toDoc(HASH, KEYS_PK, key.hash, { keyId: key.id }));
      }),
    findByHash: (hash) =>
      runner.run(async (unit) => {
        const index = await unit.get('tenants', KEYS_PK, docId(HASH, hash));
        if (!index) return null;
        const doc = await read(unit, String(index.keyId));
        return doc ? fromDoc<ApiKey>(doc) : null;
      }),
    list: (tenantId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'tenants',
          `SELECT * FROM c WHERE c.docKind = @kind AND ${tenantId === null ? 'IS_NULL(c.tenantId)' : 'c.tenantId = @tenantId'} ORDER BY c.createdAt ASC, c.id ASC`,
          { kind: KEY, tenantId },
          KEYS_PK,
        );
        return docs.map((doc) => fromDoc<ApiKey>(doc));
      }),
    revoke: (id, tenantId, at) =>
      runner.run(async (unit) => {
        const doc = await read(unit, id);
        if (!doc) return false;
        const key = fromDoc<ApiKey>(doc);
        if (key.tenantId !== tenantId || key.revokedAt !== null) return false;
        unit.put('tenants', toDoc(KEY, KEYS_PK, id, { ...key, revokedAt: at }));
        return true;
      }),
    touch: (id, at) =>
      runner.run(async (unit) => {
        const doc = await read(unit, id);
        if (doc) unit.put('tenants', toDoc(KEY, KEYS_PK, id, { ...fromDoc<ApiKey>(doc), lastUsedAt: at }));
      }),
  };
}

const AUDIT = 'audit';

/** The admin audit log; an entry appended with `expiresAt` carries its TTL (credential access, 90 days). */
export function cosmosAudit(runner: UnitRunner, clock: Clock): AuditRepository {
  return {
    append: (entry, retention = {}) =>
      runner.run(async (unit) => unit.create('audit', toDoc(AUDIT, entry.tenantId ?? GLOBAL_PARTITIONS.system, entry.id, entry, expiryFields(retention.expiresAt, clock)))),
    list: (filter: AuditFilter = {}) =>
      runner.run((unit) => {
        const where: string[] = [];
        const parameters: Record<string, unknown> = {};
        const add = (clause: string, name: string, value: unknown): void => {
          where.push(clause);
          parameters[name] = value;
        };
        if (filter.tenantId !== undefined) add('c.tenantId = @tenantId', 'tenantId', filter.tenantId);
        if (filter.action !== undefined) add('c.action = @action', 'action', filter.action);
        if (filter.since !== undefined) add('c.at >= @since', 'since', filter.since);
        if (filter.until !== undefined) add('c.at < @until', 'until', filter.until);
        if (filter.actorKind !== undefined) add('c.actor.kind = @actorKind', 'actorKind', filter.actorKind);
        if (filter.target !== undefined) add('c.target = @target', 'target', filter.target);
        return pageQuery(
          unit,
          'audit',
          { kind: AUDIT, where, parameters, sort: 'at', descending: true, ...(filter.tenantId === undefined ? {} : { pk: filter.tenantId }) },
          filter,
          (doc) => fromDoc<AuditEntry>(doc),
        );
      }),
  };
}

// Secret rows: binary fields as base64 text (JSON has no bytes).
const SECRET = 'secret';

function secretDoc(row: SecretRow): Doc {
  return toDoc(SECRET, row.tenantId, row.ref, { ...row, wrappedKey: row.wrappedKey.toString('base64'), ciphertext: row.ciphertext.toString('base64') });
}

function secretRow(doc: Doc): SecretRow {
  const stored = fromDoc<SecretRow & { wrappedKey: string; ciphertext: string }>(doc);
  return { ...stored, wrappedKey: Buffer.from(stored.wrappedKey, 'base64'), ciphertext: Buffer.from(stored.ciphertext, 'base64') };
}

export function cosmosSecrets(runner: UnitRunner): SecretRowRepository {
  return {
    insert: (row) => runner.run(async (unit) => unit.create('credentials', secretDoc(row))),
    get: (tenantId, ref) =>
      runner.run(async (unit) => {
        const doc = await unit.get('credentials', tenantId, docId(SECRET, ref));
        return doc ? secretRow(doc) : null;
      }),
    replace: (row) =>
      runner.run(async (unit) => {
        const doc = await unit.get('credentials', row.tenantId, docId(SECRET, row.ref));
        if (!doc) return false;
        const current = secretRow(doc);
        unit.put('credentials', secretDoc({ ...current, keyVersion: row.keyVersion, wrappedKey: row.wrappedKey, ciphertext: row.ciphertext, updatedAt: row.updatedAt }));
        return true;
      }),
    delete: (tenantId, ref) =>
      runner.run(async (unit) => {
        const id = docId(SECRET, ref);
        if (!(await unit.get('credentials', tenantId, id))) return false;
        unit.delete('credentials', tenantId, id);
        return true;
      }),
    listWrappedBefore: (keyVersion, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>('credentials', `SELECT TOP ${Math.max(0, Math.floor(limit))} * FROM c WHERE c.docKind = @kind AND c.keyVersion < @keyVersion`, {
          kind: SECRET,
          keyVersion,
        });
        return docs.map(secretRow);
      }),
  };
}
