import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApi } from '../api/build-api.ts';
import type { Api } from '../api/build-api.ts';
import { buildPlatform } from '../compose.ts';
import type { Platform } from '../compose.ts';
import { resolveConfig } from '../config/index.ts';
import type { LogLevel, TributaryOptions } from '../config/index.ts';
import { createLogger } from '../logging/logger.ts';
import type { ResolverRegistry } from '../../sync/index.ts';

/** A platform on a real SQLite file in a fresh temp dir, its API (not listening), and its captured logs. For tests. */
export interface TempPlatform {
  readonly dir: string;
  readonly platform: Platform;
  readonly app: Api;
  /** Every log line written so far, raw JSON text. */
  logs(): string;
  /** Closes the API and the platform, then removes the temp dir. */
  close(): Promise<void>;
}

export async function startTempPlatform(options: TributaryOptions & { logLevel?: LogLevel; resolvers?: ResolverRegistry } = {}): Promise<TempPlatform> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-api-'));
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(chunk.toString('utf8'));
      callback();
    },
  });
  const { resolvers, ...configOptions } = options;
  const config = resolveConfig({ logLevel: 'info', ...configOptions, dataDir: join(dir, 'data') });
  const logger = createLogger({ level: config.log.level, destination });
  try {
    const platform = await buildPlatform(config, { logger, ...(resolvers ? { resolvers } : {}) });
    const app = buildApi(platform.services, { logger });
    await app.ready();
    return {
      dir,
      platform,
      app,
      logs: () => lines.join(''),
      async close() {
        await app.close();
        await platform.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
