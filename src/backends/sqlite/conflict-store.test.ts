import { runConflictStoreContract } from '../../ports/contracts/conflict-store.contract.ts';
import { tempSqliteStore } from './temp-store.ts';

runConflictStoreContract('SqliteStore', () => tempSqliteStore('conflict-store'));
