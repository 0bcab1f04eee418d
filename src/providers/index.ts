/**
 * The provider registry: every provider Tributary ships, by id. The connection service,
 * the sync engine and the webhook intake find a provider here and nowhere else, so a
 * new provider is one folder plus one line in PROVIDERS.
 *
 * Provider folders never import each other (nor this file); this file imports each
 * provider's public index only.
 */
import { TributaryError } from '../domain/errors.ts';
import { githubProvider } from './github/index.ts';
import { googleProvider } from './google/index.ts';
import { notionProvider } from './notion/index.ts';
import type { ObjectDefinition, Provider, ProviderId } from './provider.ts';
import { PROVIDER_IDS } from './provider.ts';
import { salesforceProvider } from './salesforce/index.ts';
import { slackProvider } from './slack/index.ts';

export type * from './provider.ts';
export { CURSOR_EXPIRED, PROVIDER_IDS } from './provider.ts';

/** Every provider, by id (the order of PROVIDER_IDS). */
export const PROVIDERS: Readonly<Record<ProviderId, Provider>> = Object.freeze({
  salesforce: salesforceProvider,
  notion: notionProvider,
  slack: slackProvider,
  github: githubProvider,
  google: googleProvider,
});

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * The provider with this id. Throws VALIDATION_FAILED naming `field` (default
 * `provider`) for an id Tributary does not know, so API callers learn which field to fix.
 */
export function providerById(id: string, field = 'provider'): Provider {
  if (!isProviderId(id)) {
    throw new TributaryError('VALIDATION_FAILED', `Unknown provider ${JSON.stringify(id)} (expected one of: ${PROVIDER_IDS.join(', ')})`, { field });
  }
  return PROVIDERS[id];
}

/**
 * An object of a provider by name: the static list first, then the provider's
 * `objectFor` (any Salesforce sObject, a Notion data source). Throws NOT_FOUND naming
 * `field` when the provider has no such object.
 */
export function objectOf(provider: Provider, name: string, field = 'object'): ObjectDefinition {
  const found = provider.objects.find((object) => object.name === name) ?? provider.objectFor?.(name);
  if (found === undefined) {
    throw new TributaryError('NOT_FOUND', `${provider.label} has no object ${JSON.stringify(name)}`, { field });
  }
  return found;
}
