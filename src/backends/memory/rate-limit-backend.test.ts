import { MemoryRateLimitBackend } from './rate-limit-backend.ts';
import { runRateLimitBackendContract } from '../../ports/contracts/rate-limit-backend.contract.ts';

runRateLimitBackendContract('memory', async () => {
  const backend = new MemoryRateLimitBackend();
  return { backend, second: backend, close: async () => {} };
});
