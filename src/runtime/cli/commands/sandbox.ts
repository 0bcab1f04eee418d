import type { Command } from 'commander';
import { configError } from '../../config/index.ts';
import { EXIT } from '../fatal.ts';
import type { CliIo } from './io.ts';

interface SandboxFlags {
  port?: string;
  host?: string;
  seed?: string;
  size?: string;
  rateLimitScale?: string;
}

/** `tributary sandbox`: the provider simulators alone, for trying connections by hand. */
export function registerSandboxCommand(program: Command, io: CliIo): void {
  program
    .command('sandbox')
    .description('Run the provider sandbox (simulated Salesforce, Notion, Slack, GitHub, Google APIs) on its own.')
    .option('--port <port>', 'HTTP port, 0 for a free one (default 4000)')
    .option('--host <host>', 'interface to listen on (default 127.0.0.1)')
    .option('--seed <seed>', "seed of the generated data: same seed, same data (default: the sandbox's)")
    .option('--size <size>', "people in the generated company (default: the sandbox's)")
    .option('--rate-limit-scale <factor>', 'multiply every real rate limit, e.g. 0.01 (default 1)')
    .action(async (flags: SandboxFlags) => {
      const port = integerFlag('--port', flags.port, 0, 65535) ?? 4000;
      const seed = integerFlag('--seed', flags.seed, 0, 2 ** 31 - 1);
      const size = integerFlag('--size', flags.size, 1, 1_000_000);
      const rateLimitScale = scaleFlag(flags.rateLimitScale);
      // Loaded only here: the product does not depend on its test harness otherwise.
      const { startSandbox } = await import('../../../../sandbox/index.ts');
      const sandbox = await startSandbox({ port, host: flags.host ?? '127.0.0.1', seed, size, rateLimitScale });
      const settings = [seed === undefined ? '' : `seed ${seed}`, size === undefined ? '' : `size ${size}`].filter(Boolean).join(', ');
      io.stderr(`Sandbox running at ${sandbox.url}${settings === '' ? '' : ` (${settings})`}. Stop with Ctrl-C.`);
      const stop = (): void => {
        sandbox.close().then(
          () => process.exit(EXIT.ok),
          () => process.exit(EXIT.failure),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}

function integerFlag(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw configError(flag, `must be an integer from ${min} to ${max} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

function scaleFlag(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(value > 0 && value <= 1000)) {
    throw configError('--rate-limit-scale', `must be a number above 0 and at most 1000 (got ${JSON.stringify(raw)})`);
  }
  return value;
}
