import { Command, CommanderError } from 'commander';
import { processEnvironment } from '../config/index.ts';
import { registerAdminKeyCommand } from './commands/admin-key.ts';
import type { CliIo } from './commands/io.ts';
import { registerKeysCommand } from './commands/keys.ts';
import { registerMigrateCommand } from './commands/migrate.ts';
import { registerSandboxCommand } from './commands/sandbox.ts';
import { registerStartCommand } from './commands/start.ts';
import { registerStatusCommand } from './commands/status.ts';
import { registerSyncCommand } from './commands/sync.ts';
import { registerDedupCommand } from './dedup-command.ts';
import { EXIT, describeFatal } from './fatal.ts';

/** The `tributary` program and its commands; every command has `--help`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('tributary')
    .description('Tributary: a self-hostable, multi-tenant integration platform.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  registerStartCommand(program, io);
  registerAdminKeyCommand(program, io);
  registerSandboxCommand(program, io);
  registerMigrateCommand(program, io);
  registerKeysCommand(program, io);
  registerStatusCommand(program, io);
  registerSyncCommand(program, io);
  registerDedupCommand(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * The CLI entry point (bin/tributary.js calls it with `process.argv`). Resolves once
 * the command has done its work; `start` leaves the server running and exits on
 * SIGTERM/SIGINT. A failure prints one line on stderr and exits 2 for configuration
 * mistakes, 1 otherwise (a usage error from the argument parser exits 2 too).
 */
export async function main(argv: readonly string[]): Promise<void> {
  const io: CliIo = {
    stdout: (text) => process.stdout.write(`${text}\n`),
    stderr: (text) => process.stderr.write(`${text}\n`),
    env: processEnvironment(),
  };
  let command = 'start';
  try {
    const program = buildProgram(io).hook('preAction', (_program, action) => {
      command = action.parent !== null && action.parent !== program ? `${action.parent.name()} ${action.name()}` : action.name();
    });
    await program.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed the message (or the help / version) already.
      process.exit(error.exitCode === 0 ? EXIT.ok : EXIT.usage);
    }
    const { line, exitCode } = describeFatal(error, io.env, command);
    io.stderr(line);
    process.exit(exitCode);
  }
}
