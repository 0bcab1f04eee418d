import { TributaryError } from '../domain/errors.ts';
import { githubProvider } from '../providers/github/index.ts';
import { googleProvider } from '../providers/google/index.ts';
import { notionProvider } from '../providers/notion/index.ts';
import type { OAuthSpec, Provider, ProviderId } from '../providers/provider.ts';
import { salesforceProvider } from '../providers/salesforce/index.ts';
import { slackProvider } from '../providers/slack/index.ts';

/**
 * Where each provider's token endpoints are, for a connection. The providers' AuthSpecs
 * hold the real absolute URLs; a connection's `authBaseUrl` (the sandbox's
 * `http://127.0.0.1:PORT/github`, a Salesforce My Domain, a GitHub Enterprise Server)
 * replaces their origin and is prefixed to their path. With the provider's default auth
 * base URL the real URLs are used unchanged (Google's token endpoint lives on another
 * host than its authorize page).
 */

const PROVIDERS: Record<ProviderId, Provider> = {
  salesforce: salesforceProvider,
  notion: notionProvider,
  slack: slackProvider,
  github: githubProvider,
  google: googleProvider,
};

export function providerFor(id: ProviderId): Provider {
  const provider = PROVIDERS[id];
  if (!provider) throw new TributaryError('VALIDATION_FAILED', `Unknown provider ${String(id)}`, { field: 'provider' });
  return provider;
}

export function oauthSpecOf(id: ProviderId): OAuthSpec {
  const spec = providerFor(id).auth.oauth;
  if (!spec) throw new TributaryError('VALIDATION_FAILED', `${id} has no OAuth flow`, { field: 'credentials.type' });
  return spec;
}

/** `realUrl` as reached through `authBaseUrl` (see the module comment). */
export function atBase(realUrl: string, authBaseUrl: string, defaultBaseUrl: string): string {
  const base = authBaseUrl.replace(/\/+$/, '');
  if (base === defaultBaseUrl.replace(/\/+$/, '')) return realUrl;
  const real = new URL(realUrl);
  return `${base}${real.pathname}${real.search}`;
}

/** The provider's OAuth endpoints for a connection. */
export function oauthEndpoints(id: ProviderId, authBaseUrl: string): { authorizeUrl: string; tokenUrl: string; revokeUrl: string | null } {
  const provider = providerFor(id);
  const spec = oauthSpecOf(id);
  return {
    authorizeUrl: atBase(spec.authorizeUrl, authBaseUrl, provider.defaultAuthBaseUrl),
    tokenUrl: atBase(spec.tokenUrl, authBaseUrl, provider.defaultAuthBaseUrl),
    revokeUrl: spec.revokeUrl ? atBase(spec.revokeUrl, authBaseUrl, provider.defaultAuthBaseUrl) : null,
  };
}
