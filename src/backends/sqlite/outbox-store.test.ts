import { runOutboxStoreContract } from '../../ports/contracts/outbox-store.contract.ts';
import { tempSqliteStore } from './temp-store.ts';

runOutboxStoreContract('SqliteStore', () => tempSqliteStore('outbox-store'));
