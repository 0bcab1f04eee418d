import { Type } from 'typebox';
import type { TSchema } from 'typebox';
import { ERROR_CATALOG } from '../../domain/errors.ts';

/** Shared request/response schemas. Every route declares both (OpenAPI is built from them). */

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_CATALOG).map((code) => Type.Literal(code))),
      message: Type.String(),
      field: Type.Optional(Type.String({ description: 'The input at fault, as a path: `body.name`, `params.tenantId`.' })),
      requestId: Type.String(),
    }),
  },
  { description: 'Every error answer has this shape; `code` is one of docs/errors.md.' },
);

/** Added to every route's `response`, so errors are documented and serialized alike. */
export const errorResponses = { '4xx': ErrorResponse, '5xx': ErrorResponse } as const;

export const Id = (prefix: string, description: string) =>
  Type.String({ pattern: `^${prefix}_[0-9a-f]{32}$`, description, examples: [`${prefix}_0123456789abcdef0123456789abcdef`] });

export const TenantId = Id('ten', 'A tenant id.');
export const KeyId = Id('key', 'An API key id.');

export const Metadata = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  description: 'Free-form key/value the host product attaches (its own account id, plan, ...).',
});

export const Timestamp = Type.String({ format: 'date-time' });

export const Tenant = Type.Object({
  id: TenantId,
  name: Type.String(),
  metadata: Metadata,
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const ApiKeyInfo = Type.Object({
  id: KeyId,
  tenantId: Type.Union([TenantId, Type.Null()], { description: 'null for an admin key.' }),
  name: Type.String(),
  prefix: Type.String({ description: 'The first characters of the key, safe to show (`trb_1a2b3c4d`).' }),
  createdAt: Timestamp,
  lastUsedAt: Type.Union([Timestamp, Type.Null()]),
  revokedAt: Type.Union([Timestamp, Type.Null()]),
});

export const Actor = Type.Object({
  kind: Type.Union([Type.Literal('admin'), Type.Literal('tenant'), Type.Literal('system')]),
  keyId: Type.Union([Type.String(), Type.Null()], { description: 'null for the configured TRIBUTARY_ADMIN_KEY and for system actions.' }),
  tenantId: Type.Union([Type.String(), Type.Null()]),
});

export const AuditEntry = Type.Object({
  id: Type.String(),
  at: Timestamp,
  actor: Actor,
  action: Type.String({ description: 'Dotted verb: `tenant.create`, `api_key.create`, `api_key.revoke`, ...' }),
  tenantId: Type.Union([Type.String(), Type.Null()]),
  target: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  requestId: Type.Union([Type.String(), Type.Null()]),
});

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page.' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 500, description: '`nextCursor` of the previous page.' })),
};

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page.' }),
  });
