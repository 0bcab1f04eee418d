import { buildPlatform } from '../compose.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { createLogger } from '../logging/logger.ts';
import { startRoles } from '../roles/index.ts';
import type { RunningRoles } from '../roles/index.ts';
import type { Services } from '../services.ts';
import type { CliIo } from './commands/io.ts';
import { handleShutdownSignals } from './shutdown.ts';

/**
 * Builds the platform, starts the configured roles, installs the shutdown handlers and
 * prints where it runs. Resolves once started; the process then lives until a signal.
 */
export async function runPlatform(config: ResolvedConfig, io: CliIo): Promise<void> {
  const logger = createLogger(config.log);
  const platform = await buildPlatform(config, { logger });
  let running: RunningRoles;
  try {
    running = await startRoles(config.roles, { services: platform.services, server: config.server, tokenRefresher: config.tokenRefresher, logger });
  } catch (error) {
    await platform.close();
    throw error;
  }
  // Installed once started: a signal during start-up terminates the process the default
  // way, which loses nothing (commits are durable; a job lease held by then expires).
  handleShutdownSignals({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      try {
        await running.stop();
      } finally {
        await platform.close();
      }
    },
  });
  logger.info({ url: running.url, roles: config.roles, dataDir: config.dataDir, demo: config.demo }, 'tributary started');
  if (config.demo) logger.info({}, 'demo: nothing to show yet; it arrives with the sync engine (use --no-demo to silence this)');
  io.stderr(await banner(config, running, platform.services));
}

/** The human-readable start message (stderr; stdout carries the JSON logs). */
async function banner(config: ResolvedConfig, running: RunningRoles, services: Services): Promise<string> {
  const lines: string[] = [];
  lines.push(running.url === null ? 'Tributary is running (no api role in this process).' : `Tributary is running at ${running.url}`);
  if (running.url !== null) lines.push(`  API docs:  ${running.url}/docs`);
  lines.push(`  Roles:     ${config.roles.join(', ')}`);
  lines.push(`  Data:      ${config.dataDir} (tributary.db, master.key)`);
  const storedAdminKeys = (await services.apiKeys.list(null)).filter((key) => key.revokedAt === null).length;
  if (config.auth.adminKey !== null) {
    lines.push('  Admin key: TRIBUTARY_ADMIN_KEY is set; send it as `Authorization: Bearer <key>`.');
  } else if (storedAdminKeys > 0) {
    lines.push(`  Admin key: ${storedAdminKeys} stored admin key(s); make another with \`npx tributary admin-key create --data ${config.dataDir}\`.`);
  } else {
    lines.push(`  Admin key: none yet. Run \`npx tributary admin-key create --data ${config.dataDir}\` (prints a key once),`);
    lines.push('             or set TRIBUTARY_ADMIN_KEY before starting.');
  }
  lines.push('  Stop with Ctrl-C (SIGINT) or SIGTERM.');
  return lines.join('\n');
}
