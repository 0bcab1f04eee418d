import type { ProviderSimulator } from './core/types.ts';
import { createGithubSimulator } from './github/index.ts';
import { createGoogleSimulator } from './google/index.ts';
import { createNotionSimulator } from './notion/index.ts';
import { createSalesforceSimulator } from './salesforce/index.ts';
import { createSlackSimulator } from './slack/index.ts';
import { createTeamsSimulator } from './teams/index.ts';

/**
 * The simulators a default sandbox runs (the five providers, and Teams for
 * notifications), one fresh instance per sandbox, in the order of PROVIDER_NAMES.
 */
export function defaultSimulators(): ProviderSimulator[] {
  return [createSalesforceSimulator(), createNotionSimulator(), createSlackSimulator(), createGithubSimulator(), createGoogleSimulator(), createTeamsSimulator()];
}
