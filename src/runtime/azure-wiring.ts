import { DefaultAzureCredential } from '@azure/identity';
import { CosmosStore } from '../backends/cosmos/store.ts';
import { KeyVaultSecretStore } from '../backends/keyvault/key-vault-secrets.ts';
import { ServiceBusJobQueue } from '../backends/servicebus/job-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Logger } from '../ports/logger.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import type { ResolvedConfig } from './config/index.ts';

/**
 * Azure mode's backends, each chosen on its own by configuration (docs/deploy-azure.md):
 * backends-wiring.ts and compose.ts ask here first and fall back to the embedded or
 * cluster backend when the answer is null. Locks and rate-limit counters stay on Redis
 * (Azure Cache for Redis), which the configuration requires alongside.
 */
export function azureStore(config: ResolvedConfig, clock: Clock): Store | null {
  const cosmos = config.azure.cosmos;
  return cosmos === null ? null : new CosmosStore({ endpoint: cosmos.endpoint, key: cosmos.key.reveal(), databaseId: cosmos.databaseId, clock });
}

export function azureQueue(config: ResolvedConfig, options: { clock: Clock; logger: Logger; stopGraceMs: number }): JobQueue | null {
  const serviceBus = config.azure.serviceBus;
  return serviceBus === null ? null : new ServiceBusJobQueue({ connectionString: serviceBus.connectionString.reveal(), ...options });
}

/** Key Vault through the managed identity in Azure (DefaultAzureCredential: environment, workload or managed identity, Azure CLI). */
export function azureSecrets(config: ResolvedConfig, clock: Clock): SecretStore | null {
  const url = config.azure.keyVaultUrl;
  return url === null ? null : new KeyVaultSecretStore({ vaultUrl: url, credential: new DefaultAzureCredential(), clock });
}
