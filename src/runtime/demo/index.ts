/**
 * The demo (`tributary start` without `--no-demo`): the provider sandbox in this
 * process, a "Demo company" tenant connected to all five providers through the
 * connection service, and default integrations on a short schedule, so that the
 * scheduler and the inbound worker fill `GET /v1/entities` within a minute, people
 * found in several providers merged into one entity. Nothing here may stop the
 * platform: `prepareDemo` and `seedDemo` report failures to the caller, which logs them.
 */
import type { Integration } from '../../domain/integration.ts';
import { defaultMapping } from '../../mapping/index.ts';
import type { Logger } from '../../ports/logger.ts';
import type { ProviderId } from '../../providers/index.ts';
import type { Services } from '../services.ts';
import { DEMO_PROVIDERS, connectDemoProvider } from './demo-connections.ts';
import type { DemoSandbox } from './demo-sandbox.ts';
import { DEMO_TENANT_NAME, ensureDemoTenant } from './demo-tenant.ts';

export { startDemoSandbox, DEMO_SANDBOX_SIZE, type DemoSandbox } from './demo-sandbox.ts';
export { DEMO_TENANT_NAME, DEMO_KEY_FILE } from './demo-tenant.ts';

/** How often each demo integration runs. */
export const DEMO_INTERVAL_MS = 60_000;

/** The default integrations: provider -> objects (with the mapping when the object name alone does not pick it). */
const DEMO_OBJECTS: Readonly<Record<ProviderId, readonly string[]>> = {
  salesforce: ['Account', 'Contact'],
  google: ['contacts'],
  slack: ['users'],
  github: ['issues'],
  notion: ['contacts'],
};

export interface DemoInfo {
  readonly tenantId: string;
  readonly tenantName: string;
  /** The tenant key in plain text when this start made it, else null (see keyFile). */
  readonly newKey: string | null;
  readonly keyFile: string;
  readonly sandboxUrl: string;
  /** Providers connected and with integrations; the others failed (logged). */
  readonly connected: readonly ProviderId[];
}

/**
 * Makes (or finds) the demo tenant and its key, connects every provider to the sandbox
 * and makes sure each default integration exists, enabled and scheduled. A provider
 * that fails is logged and skipped; the others go on.
 */
export async function seedDemo(
  services: Pick<Services, 'tenants' | 'apiKeys' | 'connections' | 'credentials' | 'integrations'>,
  options: { sandbox: DemoSandbox; dataDir: string; publicUrl: string; logger: Logger },
): Promise<DemoInfo> {
  const tenant = await ensureDemoTenant(services, options.dataDir);
  const redirectUri = `${options.publicUrl.replace(/\/+$/, '')}/v1/oauth/callback`;
  const connected: ProviderId[] = [];
  for (const provider of DEMO_PROVIDERS) {
    try {
      const settings = provider === 'notion' ? { dataSourceId: await notionContactsSource(options.sandbox.url) } : undefined;
      const connection = await connectDemoProvider(services, { tenantId: tenant.tenantId, provider, sandboxUrl: options.sandbox.url, redirectUri, ...(settings ? { settings } : {}) });
      if (connection.status !== 'active') throw new Error(`the ${provider} connection is ${connection.status}`);
      await ensureIntegrations(services, tenant.tenantId, connection.id, provider);
      connected.push(provider);
    } catch (error) {
      options.logger.warn({ err: error, provider }, 'demo: could not connect a provider; the others go on');
    }
  }
  return { tenantId: tenant.tenantId, tenantName: DEMO_TENANT_NAME, newKey: tenant.newKey, keyFile: tenant.keyFile, sandboxUrl: options.sandbox.url, connected };
}

async function ensureIntegrations(services: Pick<Services, 'integrations'>, tenantId: string, connectionId: string, provider: ProviderId): Promise<void> {
  const existing = (await services.integrations.list(tenantId, { connectionId, limit: 1000 })).items;
  for (const object of DEMO_OBJECTS[provider]) {
    const name = provider === 'notion' ? 'pages' : object;
    const found: Integration | undefined = existing.find((integration) => integration.object === name);
    if (found) continue;
    const mapping = provider === 'notion' ? defaultMapping('notion', 'contact') : null;
    await services.integrations.create(tenantId, {
      connectionId,
      object: name,
      schedule: { intervalMs: DEMO_INTERVAL_MS },
      ...(mapping === null ? {} : { mapping: mapping as unknown as Record<string, unknown> }),
    });
  }
}

/** The Notion data source holding the sandbox's contacts (the sandbox's control API says which). */
async function notionContactsSource(sandboxUrl: string): Promise<string> {
  const response = await fetch(`${sandboxUrl}/_sandbox/notion/info`);
  const info = (await response.json()) as { data_sources?: { id: string; object: string }[] };
  const id = info.data_sources?.find((source) => source.object === 'contacts')?.id;
  if (id === undefined) throw new Error('the sandbox has no Notion contacts data source');
  return id;
}
