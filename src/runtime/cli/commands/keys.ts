import type { Command } from 'commander';
import { loadCompose } from './compose-lazy.ts';
import { loadConfig } from '../../config/index.ts';
import { createLogger } from '../../logging/logger.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

/**
 * `tributary keys rotate`: a new master key version, and every stored secret re-wrapped
 * under it. Values do not change; safe while `tributary start` runs on the same data
 * dir (the vault re-wraps in small transactions and running processes pick up the new
 * key version). With TRIBUTARY_MASTER_KEY set, the operator adds the version there
 * and this finishes the rotation by re-wrapping to the newest one.
 */
export function registerKeysCommand(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('Manage the master key that wraps every stored secret.');
  keys
    .command('rotate')
    .description('Create a new master key version and re-wrap every secret under it (no downtime). Prints the counts.')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      // Logs of the platform's own start-up go to stderr, below warnings only.
      const logger = createLogger({ level: 'warn', destination: process.stderr });
      const { buildPlatform } = await loadCompose();
      const platform = await buildPlatform(config, { logger });
      try {
        const { keyVersion, rewrapped } = await platform.services.credentials.rewrapAll();
        io.stdout(JSON.stringify({ keyVersion, rewrapped }));
        io.stderr(`Re-wrapped ${rewrapped} secret(s) under master key version ${keyVersion} in ${config.dataDir}.`);
      } finally {
        await platform.close();
      }
    });
}
