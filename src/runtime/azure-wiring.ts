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
 *
 * The Azure SDKs are imported only when configured: loading them costs a process about
 * 1.7 s at start-up, which every embedded or cluster process would otherwise pay too.
 */
export async function azureStore(config: ResolvedConfig, clock: Clock): Promise<Store | null> {
  const cosmos = config.azure.cosmos;
  if (cosmos === null) return null;
  const { CosmosStore } = await import('../backends/cosmos/store.ts');
  return new CosmosStore({ endpoint: cosmos.endpoint, key: cosmos.key.reveal(), databaseId: cosmos.databaseId, clock });
}

export async function azureQueue(config: ResolvedConfig, options: { clock: Clock; logger: Logger; stopGraceMs: number }): Promise<JobQueue | null> {
  const serviceBus = config.azure.serviceBus;
  if (serviceBus === null) return null;
  const { ServiceBusJobQueue } = await import('../backends/servicebus/job-queue.ts');
  return new ServiceBusJobQueue({ connectionString: serviceBus.connectionString.reveal(), ...options });
}

/** Key Vault through the managed identity in Azure (DefaultAzureCredential: environment, workload or managed identity, Azure CLI). */
export async function azureSecrets(config: ResolvedConfig, clock: Clock): Promise<SecretStore | null> {
  const url = config.azure.keyVaultUrl;
  if (url === null) return null;
  const [{ DefaultAzureCredential }, { KeyVaultSecretStore }] = await Promise.all([import('@azure/identity'), import('../backends/keyvault/key-vault-secrets.ts')]);
  return new KeyVaultSecretStore({ vaultUrl: url, credential: new DefaultAzureCredential(), clock });
}
