import { randomBytes } from 'node:crypto';
import { DefaultAzureCredential } from '@azure/identity';
import { SecretClient } from '@azure/keyvault-secrets';
import { describe, expect, it } from 'vitest';
import { runSecretStoreContract } from '../../ports/contracts/secret-store.contract.ts';
import { KeyVaultSecretStore, refOf } from './key-vault-secrets.ts';

/**
 * The SecretStore contract against a real Azure Key Vault when AZURE_KEYVAULT_URL is set
 * (credentials through DefaultAzureCredential: environment, managed identity, Azure CLI).
 * No Key Vault emulator exists to run offline, so without it only the parts that need no
 * vault run. Note: the contract's 64 KiB value exceeds Key Vault's 25 KB limit, so that
 * one case is expected to fail on a real vault (see docs/deploy-azure.md).
 */
const clock = { now: () => Date.now() };
const VAULT_URL = process.env.AZURE_KEYVAULT_URL;

if (VAULT_URL) {
  const credential = new DefaultAzureCredential();
  runSecretStoreContract('KeyVaultSecretStore', async () => {
    const namePrefix = `t${randomBytes(4).toString('hex')}-`;
    const client = new SecretClient(VAULT_URL, credential);
    return {
      secrets: new KeyVaultSecretStore({ client, clock, namePrefix }),
      close: async () => {
        for await (const properties of client.listPropertiesOfSecrets()) {
          if (properties.name.startsWith(namePrefix)) await (await client.beginDeleteSecret(properties.name)).pollUntilDone();
        }
      },
    };
  });
} else {
  describe('SecretStore contract: KeyVaultSecretStore', () => {
    it.skip('needs AZURE_KEYVAULT_URL (and Azure credentials): no Key Vault emulator runs offline', () => undefined);
  });
}

describe('KeyVaultSecretStore without a vault', () => {
  it('maps Key Vault secret names back to refs under its own prefix only', () => {
    const ref = `sec_${'a1'.repeat(16)}`;
    expect(refOf(`trb-${ref.replace('_', '-')}`, 'trb-')).toBe(ref);
    expect(refOf(`other-${ref.replace('_', '-')}`, 'trb-')).toBeNull();
    expect(refOf('trb-tributary-key-generation', 'trb-')).toBeNull();
  });

  it('refuses a configuration it cannot use, naming the field', () => {
    expect(() => new KeyVaultSecretStore({ clock, vaultUrl: 'https://v.vault.azure.net' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'credential' }));
    expect(() => new KeyVaultSecretStore({ clock, namePrefix: 'bad_prefix', client: new SecretClient('https://v.vault.azure.net', new DefaultAzureCredential()) })).toThrow(
      expect.objectContaining({ field: 'namePrefix' }),
    );
  });

  it('answers SECRET_NOT_FOUND for a malformed ref without calling the vault', async () => {
    // The vault URL resolves nowhere: a network call would fail with STORE_UNAVAILABLE instead.
    const store = new KeyVaultSecretStore({ clock, client: new SecretClient('https://127.0.0.1:1', new DefaultAzureCredential()) });
    await expect(store.get('ten_a', '../other')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    await expect(store.info('ten_a', 'sec_nothex')).rejects.toMatchObject({ code: 'SECRET_NOT_FOUND' });
    await expect(store.delete('ten_a', 'sec_nothex')).resolves.toBeUndefined();
  });
});
