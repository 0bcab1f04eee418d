import { buildPlatform, type Platform } from '../runtime/compose.ts';
import { loadConfig, processEnvironment, type ResolvedConfig } from '../runtime/config/index.ts';
import { createLogger } from '../runtime/logging/logger.ts';
import type { FunctionsHost } from './handlers.ts';

/**
 * The platform of one Functions host instance, from the app settings (the same
 * TRIBUTARY_* keys as every process, read by runtime/config): built at the first
 * invocation and kept while the instance lives, so warm invocations reuse the store's
 * and the queue's connections. A failed build is retried at the next invocation.
 */
export function functionsHostFromEnvironment(): FunctionsHost {
  const config: ResolvedConfig = loadConfig({ env: processEnvironment() });
  const logger = createLogger(config.log);
  let platform: Promise<Platform> | null = null;
  return {
    logger,
    refreshWindowMs: config.tokenRefresher.windowMs,
    services: async () => {
      platform ??= buildPlatform(config, { logger }).catch((error: unknown) => {
        platform = null;
        throw error;
      });
      return (await platform).services;
    },
  };
}
