import { TributaryError } from '../../../domain/errors.ts';
import type { Connection, Credential, TokenRefreshAudit } from '../../../domain/connection.ts';
import type { ConnectionRepository, CredentialRepository, OAuthStateRepository, OAuthStateRow, TokenRefreshAuditRepository } from '../../../ports/store.ts';
import type { Clock } from '../../../ports/clock.ts';
import { docId, expiryFields, fromDoc, pageQuery, toDoc, top, withPatch } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';
import { requireTenant } from './tenancy.ts';

/** Connections, credential metadata, the token refresh audit and OAuth states on Cosmos DB. */

const CONNECTION = 'connection';
const CREDENTIAL = 'credential';

export async function getConnectionDoc(unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> {
  return unit.get('connections', tenantId, docId(CONNECTION, id));
}

export function cosmosConnections(runner: UnitRunner): ConnectionRepository {
  return {
    insert: (connection) =>
      runner.run(async (unit) => {
        await requireTenant(unit, connection.tenantId);
        unit.create('connections', toDoc(CONNECTION, connection.tenantId, connection.id, connection));
      }),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await getConnectionDoc(unit, tenantId, id);
        return doc ? fromDoc<Connection>(doc) : null;
      }),
    list: (tenantId, page) =>
      runner.run((unit) => pageQuery(unit, 'connections', { kind: CONNECTION, sort: 'createdAt', pk: tenantId }, page, (doc) => fromDoc<Connection>(doc))),
    listAll: (page) => runner.run((unit) => pageQuery(unit, 'connections', { kind: CONNECTION, sort: 'createdAt' }, page, (doc) => fromDoc<Connection>(doc))),
    update: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await getConnectionDoc(unit, tenantId, id);
        if (!doc) return null;
        const connection = withPatch(fromDoc<Connection>(doc), patch, { updatedAt });
        unit.put('connections', toDoc(CONNECTION, tenantId, id, connection));
        return connection;
      }),
    delete: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await getConnectionDoc(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('connections', tenantId, doc.id);
        const credentials = await unit.query<Doc>('credentials', 'SELECT * FROM c WHERE c.docKind = @kind AND c.connectionId = @connectionId', { kind: CREDENTIAL, connectionId: id }, tenantId);
        for (const credential of credentials) unit.delete('credentials', tenantId, credential.id);
        return true;
      }),
  };
}

export function cosmosCredentials(runner: UnitRunner): CredentialRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('credentials', tenantId, docId(CREDENTIAL, id));
  return {
    insert: (credential) =>
      runner.run(async (unit) => {
        await requireTenant(unit, credential.tenantId);
        if (!(await getConnectionDoc(unit, credential.tenantId, credential.connectionId))) {
          throw new TributaryError('NOT_FOUND', 'No such connection', { field: 'connectionId' });
        }
        unit.create('credentials', toDoc(CREDENTIAL, credential.tenantId, credential.id, credential));
      }),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? fromDoc<Credential>(doc) : null;
      }),
    listByConnection: (tenantId, connectionId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'credentials',
          'SELECT * FROM c WHERE c.docKind = @kind AND c.connectionId = @connectionId ORDER BY c.createdAt ASC, c.id ASC',
          { kind: CREDENTIAL, connectionId },
          tenantId,
        );
        return docs.map((doc) => fromDoc<Credential>(doc));
      }),
    update: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc) return null;
        const current = fromDoc<Credential>(doc);
        const { refreshCountIncrement, ...fields } = patch;
        // The increment is applied to the count read in this unit; the ETag check makes a lost increment impossible.
        const credential = withPatch(current, fields, { updatedAt, refreshCount: current.refreshCount + (refreshCountIncrement ?? 0) });
        unit.put('credentials', toDoc(CREDENTIAL, tenantId, id, credential));
        return credential;
      }),
    listExpiring: (before, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'credentials',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.enabled = true AND c.status = 'valid' AND IS_STRING(c.expiryTime) AND c.expiryTime < @before ORDER BY c.expiryTime ASC, c.id ASC`,
          { kind: CREDENTIAL, before },
        );
        return docs.map((doc) => fromDoc<Credential>(doc));
      }),
    delete: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('credentials', tenantId, doc.id);
        return true;
      }),
  };
}

const REFRESH_AUDIT = 'refresh';

export function cosmosTokenRefreshAudit(runner: UnitRunner, clock: Clock): TokenRefreshAuditRepository {
  return {
    append: (entry) =>
      runner.run(async (unit) => unit.create('token-refresh', toDoc(REFRESH_AUDIT, entry.tenantId, entry.id, entry, expiryFields(entry.expiresAt, clock)))),
    list: (tenantId, filter) =>
      runner.run((unit) =>
        pageQuery(
          unit,
          'token-refresh',
          {
            kind: REFRESH_AUDIT,
            pk: tenantId,
            sort: 'at',
            descending: true,
            ...(filter?.credentialId === undefined ? {} : { where: ['c.credentialId = @credentialId'], parameters: { credentialId: filter.credentialId } }),
          },
          filter,
          (doc) => fromDoc<TokenRefreshAudit>(doc),
        ),
      ),
  };
}

// Each state is its own partition: `take` knows only the state.
const OAUTH_STATE = 'oauthstate';

export function cosmosOAuthStates(runner: UnitRunner, clock: Clock): OAuthStateRepository {
  return {
    insert: (row) => runner.run(async (unit) => unit.create('credentials', toDoc(OAUTH_STATE, row.state, row.state, row, expiryFields(row.expiresAt, clock)))),
    take: (state, now) =>
      runner.run(async (unit) => {
        const doc = await unit.get('credentials', state, docId(OAUTH_STATE, state));
        if (!doc) return null;
        // Deleting with the ETag read: of two concurrent takers, one commits and the other runs again and finds nothing.
        unit.delete('credentials', state, doc.id);
        const row = fromDoc<OAuthStateRow>(doc);
        return row.expiresAt > now ? row : null;
      }),
  };
}
