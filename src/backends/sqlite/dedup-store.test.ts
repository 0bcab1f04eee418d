import { runDedupStoreContract } from '../../ports/contracts/dedup-store.contract.ts';
import { tempSqliteStore } from './temp-store.ts';

runDedupStoreContract('SqliteStore', () => tempSqliteStore('dedup-store'));
