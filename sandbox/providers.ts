import type { ProviderSimulator } from './core/types.ts';
import { createGithubSimulator } from './github/index.ts';
import { createGoogleSimulator } from './google/index.ts';
import { createNotionSimulator } from './notion/index.ts';
import { createSalesforceSimulator } from './salesforce/index.ts';
import { createSlackSimulator } from './slack/index.ts';

/**
 * The five simulators a default sandbox runs, one fresh instance per sandbox, in the
 * order of PROVIDER_NAMES.
 */
export function defaultSimulators(): ProviderSimulator[] {
  return [createSalesforceSimulator(), createNotionSimulator(), createSlackSimulator(), createGithubSimulator(), createGoogleSimulator()];
}
