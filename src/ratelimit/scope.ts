import { TributaryError } from '../domain/errors.ts';
import type { WindowLimit } from './types.ts';

/**
 * A scope names what an override or a reset applies to, as the routes spell it:
 * `global`, `provider:<name>`, `tenant:<tenantId>`, `connection:<connectionId>`.
 */
export type RateLimitScope =
  | { readonly kind: 'global' }
  | { readonly kind: 'provider'; readonly provider: string }
  | { readonly kind: 'tenant'; readonly tenantId: string }
  | { readonly kind: 'connection'; readonly connectionId: string };

const SCOPE = /^(?:(global)|(provider|tenant|connection):([\w.-]{1,128}))$/;

/** Parses a scope string; VALIDATION_FAILED (field `params.scope`) when malformed. */
export function parseScope(text: string): RateLimitScope {
  const match = SCOPE.exec(text);
  if (match === null) {
    throw new TributaryError('VALIDATION_FAILED', 'scope must be global, provider:<name>, tenant:<id> or connection:<id>', { field: 'params.scope' });
  }
  if (match[1] === 'global') return { kind: 'global' };
  const id = match[3] as string;
  if (match[2] === 'provider') return { kind: 'provider', provider: id };
  if (match[2] === 'tenant') return { kind: 'tenant', tenantId: id };
  return { kind: 'connection', connectionId: id };
}

export function formatScope(scope: RateLimitScope): string {
  switch (scope.kind) {
    case 'global':
      return 'global';
    case 'provider':
      return `provider:${scope.provider}`;
    case 'tenant':
      return `tenant:${scope.tenantId}`;
    case 'connection':
      return `connection:${scope.connectionId}`;
  }
}

/** Checks an override's numbers; VALIDATION_FAILED naming the field otherwise. */
export function checkedLimit(value: WindowLimit): WindowLimit {
  if (!Number.isInteger(value.limit) || value.limit < 0) {
    throw new TributaryError('VALIDATION_FAILED', 'limit must be a non-negative integer', { field: 'body.limit' });
  }
  if (!Number.isInteger(value.windowMs) || value.windowMs < 1) {
    throw new TributaryError('VALIDATION_FAILED', 'windowMs must be a positive integer', { field: 'body.windowMs' });
  }
  return { limit: value.limit, windowMs: value.windowMs };
}
