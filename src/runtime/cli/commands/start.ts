import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { ROLE_NAMES } from '../../roles/names.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

/** `tributary start`: the platform in this process, every role unless `--roles` says otherwise. */
export function registerStartCommand(program: Command, io: CliIo): void {
  program
    .command('start')
    .description('Start Tributary: the API and the workers in one process, SQLite in the data directory.')
    .option('--port <port>', 'HTTP port, 0 for a free one (default 3000, env TRIBUTARY_PORT)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1, env TRIBUTARY_HOST)')
    .option('--data <dir>', 'data directory for tributary.db and master.key (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--roles <roles>', `comma-separated roles to run (default all: ${ROLE_NAMES.join(',')}; env TRIBUTARY_ROLES)`)
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (default info, env TRIBUTARY_LOG_LEVEL)')
    .option('--no-demo', 'do not start the demo (env TRIBUTARY_DEMO=false)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG); env vars and flags override it')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      // Loaded here so that the other commands (and --help) do not pay for the HTTP stack.
      const { runPlatform } = await import('../run-platform.ts');
      await runPlatform(config, io);
    });
}
