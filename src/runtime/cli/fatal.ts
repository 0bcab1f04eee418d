import { isTributaryError } from '../../domain/errors.ts';
import { CONFIG_KEYS } from '../config/index.ts';

/** Exit codes of the CLI. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/**
 * How a start-up failure is shown: ONE line on stderr, no stack, and an exit code.
 * Operator mistakes (configuration, master key) exit 2; anything else exits 1.
 * Values of secret configuration keys are scrubbed from the line even if some message
 * were to carry one.
 */
export function describeFatal(
  error: unknown,
  env: Readonly<Record<string, string | undefined>>,
  command = 'start',
): { line: string; exitCode: number } {
  const failed = command === 'start' ? 'Tributary could not start' : `tributary ${command} failed`;
  if (isTributaryError(error) && (error.code === 'CONFIG_INVALID' || error.code === 'MASTER_KEY_INVALID')) {
    const message = error.message.startsWith('Invalid configuration:') ? error.message : `Invalid configuration: ${error.message}`;
    return { line: scrub(oneLine(message), env), exitCode: EXIT.usage };
  }
  const { code, syscall } = (error ?? {}) as { code?: unknown; syscall?: unknown };
  if (syscall === 'listen' && (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')) {
    const detail = error as { address?: string; port?: number };
    const where = detail.port === undefined ? '' : ` ${detail.address ?? ''}:${detail.port}`;
    const reason = code === 'EADDRINUSE' ? 'is already in use' : code === 'EACCES' ? 'needs more privileges' : 'is not an address of this machine';
    return { line: `${failed}: address${where} ${reason} (choose another with --port / --host)`, exitCode: EXIT.failure };
  }
  const message = error instanceof Error ? error.message : String(error);
  const prefix = isTributaryError(error) ? `${error.code}: ` : '';
  return { line: scrub(oneLine(`${failed}: ${prefix}${message}`), env), exitCode: EXIT.failure };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function scrub(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = text;
  for (const key of CONFIG_KEYS) {
    const value = env[key.env];
    if (key.secret && value !== undefined && value.length >= 4) out = out.split(value).join('[redacted]');
  }
  return out;
}
