import type { Command } from 'commander';
import type { CliFlags } from '../../config/index.ts';

/** Commander option names -> configuration option names. */
const FLAG_TO_OPTION: Readonly<Record<string, keyof CliFlags>> = {
  port: 'port',
  host: 'host',
  data: 'dataDir',
  roles: 'roles',
  logLevel: 'logLevel',
  demo: 'demo',
  config: 'config',
};

/**
 * The flags the user actually typed. Commander fills `--no-demo`'s `demo` with a
 * default of true; passing that on would override TRIBUTARY_DEMO, so values whose
 * source is not the command line are left out and the config layering decides.
 */
export function givenFlags(command: Command): CliFlags {
  const flags: Record<string, string | boolean> = {};
  const values = command.opts<Record<string, unknown>>();
  for (const [flag, option] of Object.entries(FLAG_TO_OPTION)) {
    const value = values[flag];
    if (command.getOptionValueSource(flag) !== 'cli') continue;
    if (typeof value === 'string' || typeof value === 'boolean') flags[option] = value;
  }
  return flags as CliFlags;
}
