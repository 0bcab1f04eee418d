/**
 * The credentials feature's public surface. Other folders import from here only.
 */
export { ENVELOPE_FORMAT_V1, KEY_BYTES, openSecret, rewrapKey, sealSecret } from './envelope.ts';
export type { MasterKey, MasterKeyring, SealedSecret, SecretBinding, StoredSecret } from './envelope.ts';
export type {
  BeginAuthorizationRequest,
  CompletedAuthorization,
  CreateCredentialRequest,
  CredentialEvent,
  CredentialInfo,
  CredentialInput,
  CredentialService,
  CredentialServiceOptions,
  CredentialStatus,
  CredentialTokenSource,
  EgressCheck,
  RefreshOutcome,
} from './service.ts';
export { createCredentialService, SCHEDULED_REFRESH_WINDOW_MS } from './credential-service.ts';
export { CREDENTIAL_TYPES, parseCredentialInput, type CredentialMaterial } from './validation.ts';
export { DEAD_GRANT_ERRORS } from './token-response.ts';
export { CREDENTIAL_ACCESS_ACTION, CREDENTIAL_ACCESS_WINDOW_MS, CredentialAccessRecorder, type CredentialAccessPurpose } from './access-audit.ts';
