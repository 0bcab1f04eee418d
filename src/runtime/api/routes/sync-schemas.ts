import { Type } from 'typebox';
import { Id, TenantId, Timestamp } from '../schemas.ts';

/** Schemas of the sync routes (integrations, runs, entities, the change feed). */

export const IntegrationId = Id('int', 'An integration id.');
export const EntityId = Id('ent', 'An entity id.');
export const RunId = Type.String({ pattern: '^run_[0-9A-Za-z_-]{1,64}$', description: 'A sync run id.' });
export const JsonObject = Type.Record(Type.String(), Type.Unknown());
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

export const Schedule = Type.Union(
  [
    Type.Object({ intervalMs: Type.Integer({ minimum: 1, description: 'Milliseconds between runs (at least 10 000).' }) }, { additionalProperties: false }),
    Type.Object({ cron: Type.String({ minLength: 1, maxLength: 200, description: 'A cron expression, UTC.' }) }, { additionalProperties: false }),
    Type.Null(),
  ],
  { description: 'How often the pull runs; null: only manually and by webhook.' },
);

export const Direction = Type.Union([Type.Literal('pull'), Type.Literal('push'), Type.Literal('bidirectional')]);
export const Priority = Type.Union([Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')]);

export const Integration = Type.Object({
  id: IntegrationId,
  tenantId: TenantId,
  connectionId: Type.String(),
  object: Type.String(),
  direction: Direction,
  mapping: JsonObject,
  mappingVersion: Type.Integer(),
  schedule: Schedule,
  priority: Priority,
  dedupRules: JsonObject,
  conflictStrategy: JsonObject,
  fieldOwnership: JsonObject,
  enabled: Type.Boolean(),
  cursorUpdatedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const Settings = {
  direction: Type.Optional(Direction),
  schedule: Type.Optional(Schedule),
  priority: Type.Optional(Priority),
  dedupRules: Type.Optional(JsonObject),
  conflictStrategy: Type.Optional(JsonObject),
  fieldOwnership: Type.Optional(JsonObject),
  enabled: Type.Optional(Type.Boolean()),
  mapping: Type.Optional(JsonObject),
};

export const IntegrationCreate = Type.Object(
  { connectionId: Type.String({ minLength: 1, maxLength: 100 }), object: Type.String({ minLength: 1, maxLength: 200 }), ...Settings },
  { additionalProperties: false },
);
export const IntegrationPatch = Type.Object(Settings, { additionalProperties: false, minProperties: 1 });

const StoredError = Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]);
const Counts = Type.Object({ created: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), deleted: Type.Integer(), failed: Type.Integer() });

export const Run = Type.Object({
  id: Type.String(),
  integrationId: Type.String(),
  type: Type.String(),
  status: Type.String({ description: '`queued`, `running`, `retrying`, `succeeded`, `partial` or `failed`.' }),
  startedAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  recordsSoFar: Type.Integer(),
  pages: Type.Integer(),
  totalEstimate: Type.Union([Type.Integer(), Type.Null()]),
  error: StoredError,
  counts: Counts,
  fullResync: Type.Boolean(),
});

export const RunDetail = Type.Object({
  ...Run.properties,
  progress: Type.Object({
    recordsSoFar: Type.Integer(),
    pages: Type.Integer(),
    totalEstimate: Type.Union([Type.Integer(), Type.Null()]),
    recordsPerSecond: Type.Number(),
    fraction: Type.Union([Type.Number(), Type.Null()]),
    etaMs: Type.Union([Type.Integer(), Type.Null()]),
  }),
  result: Type.Union([
    Type.Object({
      status: Type.String(),
      recordsProcessed: Type.Integer(),
      recordsCreated: Type.Integer(),
      recordsUpdated: Type.Integer(),
      recordsFailed: Type.Integer(),
      conflictsDetected: Type.Integer(),
      conflictsResolved: Type.Integer(),
      durationMs: Type.Integer(),
      executedAt: Timestamp,
      ttlSeconds: Type.Integer(),
      expiresAt: Timestamp,
    }),
    Type.Null(),
  ]),
  recordErrors: Type.Array(Type.Object({ externalId: Nullable(Type.String()), field: Nullable(Type.String()), reason: Type.String(), at: Timestamp })),
});

export const Entity = Type.Object({
  id: EntityId,
  type: Type.String(),
  fields: JsonObject,
  version: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  deletedAt: Nullable(Timestamp),
  mergedInto: Nullable(Type.String()),
});

const Link = Type.Object({
  id: Type.String(),
  connectionId: Type.String(),
  integrationId: Nullable(Type.String()),
  object: Type.String(),
  externalId: Type.String(),
  remoteVersion: Nullable(Type.String()),
  lastSyncedAt: Nullable(Timestamp),
  tombstonedAt: Nullable(Timestamp),
  createdAt: Timestamp,
});
const Relationship = Type.Object({ fromEntityId: Type.String(), kind: Type.String(), toEntityId: Type.String(), createdAt: Timestamp });

export const EntityDetail = Type.Object({
  ...Entity.properties,
  links: Type.Array(Link),
  relationships: Type.Object({ outgoing: Type.Array(Relationship), incoming: Type.Array(Relationship) }),
});

export const Change = Type.Object({ seq: Type.Integer(), entityId: Type.String(), change: JsonObject, at: Timestamp });
