import type { Connection } from '../../domain/connection.ts';
import { TributaryError } from '../../domain/errors.ts';
import type { ProviderId } from '../../providers/index.ts';
import type { Services } from '../services.ts';
import { DEMO_CONTEXT } from './demo-tenant.ts';

/** Where each provider lives in the sandbox: OAuth endpoints and API base (Salesforce's is replaced by the token's instance_url). */
const PATHS: Readonly<Record<ProviderId, { auth: string; api: string }>> = {
  salesforce: { auth: '/salesforce', api: '/salesforce' },
  slack: { auth: '/slack', api: '/slack/api' },
  github: { auth: '/github', api: '/github' },
  google: { auth: '/google', api: '/google' },
  notion: { auth: '/notion', api: '/notion' },
};

export const DEMO_PROVIDERS: readonly ProviderId[] = ['salesforce', 'google', 'slack', 'github', 'notion'];

/**
 * Connects one provider of the demo tenant to the sandbox through the connection
 * service, by the whole OAuth authorization-code flow done programmatically: the
 * sandbox's consent page answers at once with a redirect carrying the code, which goes
 * to `completeAuthorization` as the browser's callback would. The sandbox's own OAuth
 * client (`sandbox-<provider>-client`) is the connection's client, so the operator
 * configures nothing. The sandbox forgets its tokens when the process stops, so a
 * connection kept from an earlier start on the same sandbox URL is authorised again
 * (its entity links stay); one made for another URL (the port was taken) is replaced.
 */
export async function connectDemoProvider(
  services: Pick<Services, 'connections' | 'credentials'>,
  input: { tenantId: string; provider: ProviderId; sandboxUrl: string; redirectUri: string; settings?: Record<string, unknown> },
): Promise<Connection> {
  const { connections, credentials } = services;
  const { tenantId, provider, sandboxUrl } = input;
  const paths = PATHS[provider];
  const authBaseUrl = `${sandboxUrl}${paths.auth}`;
  const name = `Demo ${provider}`;
  const existing = (await connections.list(tenantId, { limit: 1000 })).items.filter((view) => view.provider === provider && view.name === name);
  for (const view of existing) {
    // Same sandbox URL: kept, so that its entity links stay, and authorised again.
    if (view === existing[0] && view.credential !== null && view.authBaseUrl === authBaseUrl) {
      const begun = await credentials.beginAuthorization({ tenantId, connectionId: view.id, provider, authBaseUrl, redirectUri: input.redirectUri, credentialId: view.credential.id });
      return connections.connection(tenantId, (await connections.completeAuthorization(await consent(begun.authorizeUrl))).connection.id);
    }
    // Another sandbox URL (its port was taken): the credential would refresh against the old one.
    await connections.delete(DEMO_CONTEXT, tenantId, view.id);
  }
  const { authorizeUrl } = await connections.connect(DEMO_CONTEXT, tenantId, {
    provider,
    name,
    credential: { type: 'oauth2_authorization_code', clientId: `sandbox-${provider}-client`, clientSecret: `sandbox-${provider}-secret` },
    authBaseUrl,
    baseUrl: `${sandboxUrl}${paths.api}`,
    ...(input.settings === undefined ? {} : { settings: input.settings }),
  });
  if (authorizeUrl === null) throw new TributaryError('INTERNAL', `The ${provider} demo connection did not start an OAuth flow`);
  const completed = await connections.completeAuthorization(await consent(authorizeUrl));
  return connections.connection(tenantId, completed.connection.id);
}

/** The sandbox's consent page: a 302 to the redirect URI with `code` and `state`. */
async function consent(authorizeUrl: string): Promise<{ state: string; code: string }> {
  const response = await fetch(authorizeUrl, { redirect: 'manual' });
  const location = response.headers.get('location');
  await response.body?.cancel();
  const target = location === null ? null : new URL(location);
  const code = target?.searchParams.get('code');
  const state = target?.searchParams.get('state');
  if (!code || !state) throw new TributaryError('INTERNAL', `The sandbox's consent answered ${response.status} without a code`);
  return { state, code };
}
