import { openSecret, sealSecret } from '../credentials/index.ts';
import { TributaryError, isTributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import type { LocalKeyring } from '../backends/vault/master-keyring.ts';

/**
 * A secret row no tenant owns (tenant ids are `ten_…`), sealed by the first process that
 * started on this store. Rotation re-wraps it like any other row, so it always opens with
 * the keyring every process should hold.
 */
const CHECK = { tenantId: '__platform', ref: 'sec_keyring_check', label: 'keyring check', value: 'tributary keyring check v1' } as const;

/**
 * Refuses to start a process whose master keys differ from those of the processes that
 * started before it on the same store (in cluster mode, a process given another
 * TRIBUTARY_MASTER_KEY would otherwise seal credentials nobody else can open, and fail
 * to open theirs, at first use and with a confusing error). The first process writes
 * the check row; a conflicting insert by a process starting at the same moment reads
 * the winner's. Throws MASTER_KEY_INVALID naming the variables, never a key.
 */
export async function checkSharedKeyring(deps: { store: Pick<Store, 'secrets'>; keyring: LocalKeyring; clock: Clock }): Promise<void> {
  let row = await deps.store.secrets.get(CHECK.tenantId, CHECK.ref);
  if (row === null) {
    const now = new Date(deps.clock.now()).toISOString();
    const sealed = sealSecret(CHECK.value, { tenantId: CHECK.tenantId, ref: CHECK.ref }, deps.keyring.current);
    try {
      await deps.store.secrets.insert({ ref: CHECK.ref, tenantId: CHECK.tenantId, label: CHECK.label, ...sealed, createdAt: now, updatedAt: now });
      return;
    } catch (error) {
      if (!isTributaryError(error) || error.code !== 'CONFLICT') throw error;
      row = await deps.store.secrets.get(CHECK.tenantId, CHECK.ref);
      if (row === null) throw error;
    }
  }
  if (deps.keyring.get(row.keyVersion) === undefined) await deps.keyring.reload();
  try {
    if (openSecret(row, deps.keyring) === CHECK.value) return;
  } catch {
    // Reported below, without the cause's details (they name key versions only, but say nothing useful here).
  }
  throw new TributaryError(
    'MASTER_KEY_INVALID',
    `This process's master keys do not open the secrets already stored (master key version ${row.keyVersion}): every process of a deployment must be given the same TRIBUTARY_MASTER_KEY or key file (TRIBUTARY_MASTER_KEY_FILE)`,
    { field: 'TRIBUTARY_MASTER_KEY' },
  );
}
