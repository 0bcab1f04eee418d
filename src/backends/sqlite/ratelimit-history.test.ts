import { runRateLimitHistoryContract } from '../../ports/contracts/ratelimit-history.contract.ts';
import { tempSqliteStore } from './temp-store.ts';

runRateLimitHistoryContract('SqliteStore', () => tempSqliteStore('rl-history'));
