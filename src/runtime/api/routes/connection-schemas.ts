import { Type } from 'typebox';
import { CONNECTION_STATUSES } from '../../../domain/connection.ts';
import { PROVIDER_IDS } from '../../../providers/index.ts';
import { Id, Metadata, Timestamp } from '../schemas.ts';

/** Schemas of the connection routes. Nothing here can hold a secret value: credentials show metadata only. */

export const ConnectionId = Id('con', 'A connection id.');

const CREDENTIAL_TYPES = [
  'oauth2_authorization_code',
  'oauth2_client_credentials',
  'jwt_bearer',
  'github_app_installation',
  'api_key',
  'bearer_token',
  'basic',
  'webhook_signing_secret',
  'client_certificate',
] as const;

const HttpUrl = (description: string) => Type.String({ minLength: 1, maxLength: 2048, description });

export const ConnectBody = Type.Object(
  {
    provider: Type.Union(PROVIDER_IDS.map((id) => Type.Literal(id)), { description: 'salesforce, notion, slack, github or google.' }),
    name: Type.String({ minLength: 1, maxLength: 200, description: 'Display name.' }),
    credential: Type.Object(
      { type: Type.Union(CREDENTIAL_TYPES.map((type) => Type.Literal(type))) },
      {
        additionalProperties: true,
        description:
          'The credential by `type`: `{type:"api_key", apiKey}`, `{type:"bearer_token", token}`, `{type:"oauth2_authorization_code"}` (the redirect flow gets the tokens), `{type:"github_app_installation", appId, installationId, privateKeyPem}`, ... Never shown again.',
      },
    ),
    baseUrl: Type.Optional(HttpUrl('The provider API base URL (Salesforce instance, GitHub Enterprise). Private addresses are refused unless the operator allows them.')),
    authBaseUrl: Type.Optional(HttpUrl("Where the provider's OAuth endpoints live, when not the provider's own.")),
    settings: Type.Optional(Metadata),
    scopes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { maxItems: 100 })),
    returnUrl: Type.Optional(HttpUrl('OAuth: where the callback sends the browser once connected.')),
    authorizeParams: Type.Optional(Type.Record(Type.String({ maxLength: 100 }), Type.String({ maxLength: 500 }), { description: 'OAuth: extra authorize parameters.' })),
  },
  { additionalProperties: false },
);

const CredentialSummary = Type.Object(
  {
    id: Type.String(),
    type: Type.String(),
    status: Type.String({ description: 'pending, valid, refresh_failed or revoked.' }),
    expiresAt: Type.Union([Timestamp, Type.Null()], { description: 'When the access token expires; null when it does not (or is unknown).' }),
    lastRefreshedAt: Type.Union([Timestamp, Type.Null()]),
    refreshCount: Type.Integer(),
    scopes: Type.Array(Type.String()),
  },
  { description: 'Credential metadata. Secret values are never returned.' },
);

const AccountInfo = Type.Object({
  accountId: Type.String(),
  name: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
});

const LastError = Type.Object({ code: Type.String(), message: Type.String(), at: Timestamp });

export const Connection = Type.Object({
  id: ConnectionId,
  tenantId: Type.String(),
  provider: Type.String(),
  name: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('active'), Type.Literal('needs_reauth'), Type.Literal('error'), Type.Literal('disabled')], {
    description: `One of ${CONNECTION_STATUSES.join(', ')}.`,
  }),
  baseUrl: Type.String(),
  authBaseUrl: Type.Union([Type.String(), Type.Null()]),
  settings: Type.Record(Type.String(), Type.Unknown()),
  account: Type.Union([AccountInfo, Type.Null()], { description: 'Who the credential belongs to, from validate.' }),
  objects: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'Names of the discovered objects.' }),
  credential: Type.Union([CredentialSummary, Type.Null()]),
  lastError: Type.Union([LastError, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

const FieldSchema = Type.Object({
  name: Type.String(),
  label: Type.Optional(Type.String()),
  type: Type.String(),
  required: Type.Optional(Type.Boolean()),
  readOnly: Type.Optional(Type.Boolean()),
  enumValues: Type.Optional(Type.Array(Type.String())),
  references: Type.Optional(Type.String()),
  custom: Type.Optional(Type.Boolean()),
});

export const ObjectSchema = Type.Object({
  name: Type.String(),
  label: Type.String(),
  fields: Type.Array(FieldSchema),
  capabilities: Type.Object({
    incremental: Type.Boolean(),
    deletions: Type.String(),
    create: Type.Boolean(),
    update: Type.Boolean(),
    delete: Type.Boolean(),
    batch: Type.Boolean(),
    webhooks: Type.Boolean(),
    precondition: Type.String(),
  }),
});
