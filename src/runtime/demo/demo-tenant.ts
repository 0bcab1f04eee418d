import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../services.ts';
import { SYSTEM_ACTOR, type ActionContext } from '../tenancy/index.ts';

export const DEMO_TENANT_NAME = 'Demo company';
export const DEMO_KEY_FILE = 'demo-api-key';
export const DEMO_CONTEXT: ActionContext = { actor: SYSTEM_ACTOR, requestId: null };

export interface DemoTenant {
  readonly tenantId: string;
  /** The key in plain text when it was made by this start (printed once), else null. */
  readonly newKey: string | null;
  /** Where the key is kept for the operator (mode 0600 in the data directory). */
  readonly keyFile: string;
}

/**
 * Finds the tenant named "Demo company" (the first one, oldest first) or creates it.
 * A tenant API key is made when the data directory holds none that still works, and
 * written to `<dataDir>/demo-api-key` (0600) for the operator and the tests to read.
 */
export async function ensureDemoTenant(services: Pick<Services, 'tenants' | 'apiKeys'>, dataDir: string): Promise<DemoTenant> {
  const tenantId = (await findTenant(services)) ?? (await services.tenants.create(DEMO_CONTEXT, { name: DEMO_TENANT_NAME, metadata: { demo: true } })).id;
  const keyFile = join(dataDir, DEMO_KEY_FILE);
  const stored = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  if (stored !== '') {
    const actor = await services.apiKeys.authenticate(stored);
    if (actor?.tenantId === tenantId) return { tenantId, newKey: null, keyFile };
  }
  const created = await services.apiKeys.create(DEMO_CONTEXT, { tenantId, name: 'demo' });
  writeFileSync(keyFile, `${created.plaintext}\n`, { mode: 0o600 });
  return { tenantId, newKey: created.plaintext, keyFile };
}

async function findTenant(services: Pick<Services, 'tenants'>): Promise<string | null> {
  let cursor: string | null = null;
  do {
    const page = await services.tenants.list({ limit: 1000, cursor });
    const found = page.items.find((tenant) => tenant.name === DEMO_TENANT_NAME);
    if (found) return found.id;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return null;
}
