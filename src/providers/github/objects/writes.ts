/**
 * Shared pieces of GitHub writes: reading one item (404/410 -> null) and the optimistic
 * check GitHub's REST API does not offer. GitHub has no If-Match on writes, so when a
 * caller passes `expectedVersion` (an `updated_at`) the item is read first and a
 * different `updated_at` is a CONFLICT. The check and the write are two calls: a change
 * between them is not detected (documented as precondition 'none' in the capabilities).
 */
import { TributaryError } from '../../../domain/errors.ts';
import type { ExternalRecord, ProviderContext } from '../../provider.ts';
import { asObject, toRecord } from '../client.ts';
import { statusOfError } from '../errors.ts';

export async function fetchItem(ctx: ProviderContext, path: string, id: string): Promise<ExternalRecord | null> {
  try {
    const response = await ctx.http.request({ method: 'GET', path, operation: 'read', bucket: 'core' });
    return toRecord(id, asObject(response.body, 'a read'));
  } catch (error) {
    const status = statusOfError(error);
    if (status === 404 || status === 410) return null;
    throw error;
  }
}

export async function checkVersion(ctx: ProviderContext, path: string, id: string, expectedVersion: string | null | undefined): Promise<void> {
  if (!expectedVersion) return;
  const current = await fetchItem(ctx, path, id);
  if (!current) throw new TributaryError('PROVIDER_REJECTED', `GitHub ${id} does not exist`, { details: { provider: 'github', status: 404, id } });
  if (current.version !== expectedVersion) {
    throw new TributaryError('CONFLICT', `GitHub ${id} changed since version ${expectedVersion}`, {
      details: { provider: 'github', id, expectedVersion, actualVersion: current.version },
    });
  }
}

/** `data` without our own addressing keys (`repo`, `issue_number`). */
export function withoutAddress(data: Record<string, unknown>): Record<string, unknown> {
  const { repo: _repo, issue_number: _issue, ...rest } = data;
  return rest;
}
