import { runSyncStoreContract } from '../../ports/contracts/sync-store.contract.ts';
import { tempSqliteStore } from './temp-store.ts';

runSyncStoreContract('SqliteStore', () => tempSqliteStore('sync-store'));
