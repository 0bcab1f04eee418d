import type { Command } from 'commander';
import { loadCompose } from './compose-lazy.ts';
import { loadConfig } from '../../config/index.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

/** `tributary migrate`: bring the store's schema up to date and say where it is. (`start` does this too.) */
export function registerMigrateCommand(program: Command, io: CliIo): void {
  program
    .command('migrate')
    .description('Apply pending store migrations (forward-only; `start` runs them too) and print the schema version.')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      const { openStore } = await loadCompose();
      const opened = await openStore(config);
      try {
        const { version, applied } = opened.migration;
        io.stdout(
          applied.length === 0
            ? `Store ${config.store.display} is at schema version ${version}; nothing to apply.`
            : `Store ${config.store.display} migrated to schema version ${version} (applied ${applied.join(', ')}).`,
        );
      } finally {
        await opened.close();
      }
    });
}
