/** What the SecretStore says about a secret without opening it. */
export interface SecretInfo {
  readonly ref: string;
  readonly tenantId: string;
  readonly label: string;
  /** Master key version that wraps this secret's data key now. */
  readonly keyVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * Where secret values live: tokens, keys, signing secrets, webhook URLs.
 *
 * Each secret is bound to a tenant: reading, updating or inspecting it under another
 * tenant fails with SECRET_NOT_FOUND, as if it did not exist. Values are opaque UTF-8
 * strings (callers JSON-encode structures). Any tampering with a stored value fails the
 * read with SECRET_DECRYPT_FAILED; it is never silently returned. `delete` is
 * idempotent: a missing ref (or another tenant's) is left alone without an error.
 * `rotateMasterKey` re-wraps every secret under the newest master key version without
 * changing a value, and is safe to run while the platform serves traffic; it returns
 * that version and how many secrets it re-wrapped. Nothing here ever logs or returns a
 * value except `get`. Contract suite: ports/contracts/secret-store.contract.ts.
 */
export interface SecretStore {
  put(tenantId: string, label: string, value: string): Promise<SecretInfo>;
  get(tenantId: string, ref: string): Promise<string>;
  /** Replace the value in place (a refreshed token); the ref stays the same. */
  update(tenantId: string, ref: string, value: string): Promise<SecretInfo>;
  delete(tenantId: string, ref: string): Promise<void>;
  info(tenantId: string, ref: string): Promise<SecretInfo>;
  rotateMasterKey(): Promise<{ readonly keyVersion: number; readonly rewrapped: number }>;
}
