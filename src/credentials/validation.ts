import { createPrivateKey, X509Certificate } from 'node:crypto';
import { Type, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { TributaryError } from '../domain/errors.ts';
import type { CredentialType, ProviderId } from '../providers/provider.ts';
import type { CredentialInput } from './service.ts';

/**
 * Input validation of the nine credential types (TypeBox). Every failure is
 * VALIDATION_FAILED with `field` naming the input field as `credentials.<name>`; messages
 * say what is wrong, never the value. `parseCredentialInput` also normalises: Google's
 * service-account key file becomes a plain `jwt_bearer`, and PEM material is checked to
 * parse (a key that cannot sign would only fail later, at the first refresh).
 */

/** A credential as stored (Google's key file already unpacked). */
export type CredentialMaterial = Exclude<CredentialInput, { serviceAccountKey: unknown }>;

const text = (options: { minLength?: number } = {}) => Type.String({ minLength: options.minLength ?? 1, maxLength: 65_536 });
const scopes = Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 512 }), { maxItems: 100 }));
const url = Type.Optional(Type.String({ minLength: 1, maxLength: 2048 }));
const strict = { additionalProperties: false } as const;

const SCHEMAS: Record<CredentialType, TSchema> = {
  oauth2_authorization_code: Type.Object(
    { type: Type.Literal('oauth2_authorization_code'), clientId: Type.Optional(text()), clientSecret: Type.Optional(text()), scopes },
    strict,
  ),
  oauth2_client_credentials: Type.Object(
    { type: Type.Literal('oauth2_client_credentials'), clientId: text(), clientSecret: text(), scopes, tokenUrl: url },
    strict,
  ),
  jwt_bearer: Type.Union([
    Type.Object(
      {
        type: Type.Literal('jwt_bearer'),
        issuer: text(),
        subject: Type.Optional(text()),
        audience: Type.Optional(text()),
        privateKeyPem: text(),
        keyId: Type.Optional(text()),
        scopes,
        tokenUrl: url,
      },
      strict,
    ),
    Type.Object(
      {
        type: Type.Literal('jwt_bearer'),
        serviceAccountKey: Type.Union([text(), Type.Object({}, { additionalProperties: true })]),
        subject: Type.Optional(text()),
        scopes,
      },
      strict,
    ),
  ]),
  github_app_installation: Type.Object(
    { type: Type.Literal('github_app_installation'), appId: Type.String({ pattern: '^[0-9A-Za-z.]+$', maxLength: 64 }), installationId: Type.String({ pattern: '^[0-9]+$', maxLength: 32 }), privateKeyPem: text() },
    strict,
  ),
  api_key: Type.Object({ type: Type.Literal('api_key'), apiKey: text() }, strict),
  bearer_token: Type.Object({ type: Type.Literal('bearer_token'), token: text() }, strict),
  basic: Type.Object({ type: Type.Literal('basic'), username: text(), password: text() }, strict),
  webhook_signing_secret: Type.Object({ type: Type.Literal('webhook_signing_secret'), secret: text({ minLength: 8 }) }, strict),
  client_certificate: Type.Object(
    { type: Type.Literal('client_certificate'), certificatePem: text(), privateKeyPem: text(), passphrase: Type.Optional(Type.String({ maxLength: 1024 })) },
    strict,
  ),
};

export const CREDENTIAL_TYPES = Object.keys(SCHEMAS) as CredentialType[];

function fail(field: string, message: string): never {
  throw new TributaryError('VALIDATION_FAILED', `credentials.${field} ${message}`, { field: `credentials.${field}` });
}

/** The first TypeBox error, as the field it names and a message without the value. */
function firstError(schema: TSchema, input: unknown): { field: string; message: string } | null {
  const errors = Value.Errors(schema, input);
  if (errors.length === 0) return null;
  // A union reports its branches' errors; prefer one that names a field.
  const error = errors.find((e) => e.keyword === 'required') ?? errors.find((e) => e.instancePath !== '') ?? errors[0];
  if (!error) return null;
  if (error.keyword === 'required') {
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? 'value';
    return { field: joinPath(error.instancePath, missing), message: 'is required' };
  }
  if (error.keyword === 'additionalProperties') {
    const extra = (error.params as { additionalProperties?: string[] }).additionalProperties?.[0] ?? 'value';
    return { field: joinPath(error.instancePath, extra), message: 'is not a field of this credential type' };
  }
  return { field: joinPath(error.instancePath, ''), message: error.message };
}

function joinPath(pointer: string, last: string): string {
  const parts = pointer.split('/').slice(1).filter(Boolean);
  if (last) parts.push(last);
  return parts.length === 0 ? 'type' : parts.join('.');
}

function checkPrivateKey(field: string, pem: string, passphrase?: string): void {
  try {
    createPrivateKey(passphrase === undefined ? { key: pem, format: 'pem' } : { key: pem, format: 'pem', passphrase });
  } catch {
    fail(field, 'is not a readable PEM private key');
  }
}

/** A client certificate must parse, and its key must be the certificate's. */
function checkCertificatePair(certificatePem: string, privateKeyPem: string, passphrase?: string): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    fail('certificatePem', 'is not a readable PEM certificate');
  }
  checkPrivateKey('privateKeyPem', privateKeyPem, passphrase);
  const key = createPrivateKey(passphrase === undefined ? { key: privateKeyPem, format: 'pem' } : { key: privateKeyPem, format: 'pem', passphrase });
  if (!certificate.checkPrivateKey(key)) fail('privateKeyPem', 'is not the private key of credentials.certificatePem');
}

function unpackServiceAccountKey(raw: string | Record<string, unknown>): { issuer: string; privateKeyPem: string; keyId?: string; tokenUrl?: string } {
  let key: Record<string, unknown>;
  if (typeof raw === 'string') {
    try {
      key = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      fail('serviceAccountKey', 'is not a JSON key file');
    }
  } else {
    key = raw;
  }
  if (key.type !== 'service_account') fail('serviceAccountKey.type', 'must be "service_account"');
  if (typeof key.client_email !== 'string' || key.client_email === '') fail('serviceAccountKey.client_email', 'is required');
  if (typeof key.private_key !== 'string' || key.private_key === '') fail('serviceAccountKey.private_key', 'is required');
  const out: { issuer: string; privateKeyPem: string; keyId?: string; tokenUrl?: string } = { issuer: key.client_email, privateKeyPem: key.private_key };
  if (typeof key.private_key_id === 'string' && key.private_key_id !== '') out.keyId = key.private_key_id;
  if (typeof key.token_uri === 'string' && key.token_uri !== '') out.tokenUrl = key.token_uri;
  return out;
}

/**
 * Validates a credential for a provider and returns it normalised. Throws
 * VALIDATION_FAILED naming the field (`credentials.clientId`), or `credentials.type`
 * when the provider does not take this type (`allowed` is the provider's AuthSpec list).
 */
export function parseCredentialInput(input: unknown, provider: ProviderId, allowed: readonly CredentialType[]): CredentialMaterial {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) fail('type', 'is required (the credentials must be an object)');
  const type = (input as { type?: unknown }).type;
  if (typeof type !== 'string' || !(type in SCHEMAS)) fail('type', `must be one of ${CREDENTIAL_TYPES.join(', ')}`);
  const credentialType = type as CredentialType;
  const error = firstError(SCHEMAS[credentialType], input);
  if (error) fail(error.field, error.message);
  if (!allowed.includes(credentialType)) fail('type', `${credentialType} is not supported by ${provider} (use ${allowed.join(', ')})`);

  const value = input as CredentialInput;
  if (value.type === 'jwt_bearer' && 'serviceAccountKey' in value) {
    const unpacked = unpackServiceAccountKey(value.serviceAccountKey);
    const normalised: CredentialMaterial = { type: 'jwt_bearer', ...unpacked };
    if (value.subject !== undefined) normalised.subject = value.subject;
    if (value.scopes !== undefined) normalised.scopes = value.scopes;
    checkPrivateKey('serviceAccountKey.private_key', normalised.privateKeyPem);
    return normalised;
  }
  switch (value.type) {
    case 'jwt_bearer':
    case 'github_app_installation':
      checkPrivateKey('privateKeyPem', value.privateKeyPem);
      break;
    case 'client_certificate':
      checkCertificatePair(value.certificatePem, value.privateKeyPem, value.passphrase);
      break;
    default:
      break;
  }
  for (const field of ['tokenUrl'] as const) {
    const candidate = (value as { tokenUrl?: string })[field];
    if (candidate !== undefined && !/^https?:\/\//i.test(candidate)) fail(field, 'must be an absolute http(s) URL');
  }
  return value as CredentialMaterial;
}
