import { buildPlatform } from '../compose.ts';
import type { ResolvedConfig } from '../config/index.ts';
import { createLogger } from '../logging/logger.ts';
import { startRoles } from '../roles/index.ts';
import type { RunningRoles } from '../roles/index.ts';
import type { Services } from '../services.ts';
import type { CliIo } from './commands/io.ts';
import { handleShutdownSignals } from './shutdown.ts';
import type { DemoInfo, DemoSandbox } from '../demo/index.ts';

/**
 * Builds the platform, starts the configured roles, installs the shutdown handlers and
 * prints where it runs. With the demo on (the default), the sandbox starts first (its
 * loopback host becomes the one private host connections may reach) and the demo
 * tenant is seeded once the roles run (see runtime/demo); demo failures are logged and
 * never stop the platform. Resolves once started; the process then lives until a signal.
 */
export async function runPlatform(config: ResolvedConfig, io: CliIo): Promise<void> {
  const logger = createLogger(config.log);
  // The demo's sandbox first: its loopback host is the one private host connections may reach.
  const sandbox = config.demo ? await startDemoSandboxSafely(config, logger) : null;
  let platform: Awaited<ReturnType<typeof buildPlatform>>;
  try {
    platform = await buildPlatform(config, { logger, ...(sandbox === null ? {} : { egressAllowOrigins: [new URL(sandbox.url).origin] }) });
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
  let running: RunningRoles;
  try {
    running = await startRoles(config.roles, { services: platform.services, server: config.server, tokenRefresher: config.tokenRefresher, logger });
  } catch (error) {
    await platform.close();
    await sandbox?.close();
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
        await sandbox?.close();
      }
    },
  });
  logger.info({ url: running.url, roles: config.roles, dataDir: config.dataDir, demo: config.demo }, 'tributary started');
  const demo = sandbox === null ? null : await seedDemoSafely(platform.services, sandbox, config, logger);
  io.stderr(await banner(config, running, platform.services));
  if (demo !== null) io.stderr(demoBanner(demo, running.url));
}

/** Demo failures never stop the platform: logged, and the platform runs without the demo. */
async function startDemoSandboxSafely(config: ResolvedConfig, logger: ReturnType<typeof createLogger>): Promise<DemoSandbox | null> {
  try {
    const { startDemoSandbox } = await import('../demo/index.ts');
    return await startDemoSandbox({ dataDir: config.dataDir });
  } catch (error) {
    logger.error({ err: error }, 'demo: the sandbox did not start; running without the demo');
    return null;
  }
}

async function seedDemoSafely(services: Services, sandbox: DemoSandbox, config: ResolvedConfig, logger: ReturnType<typeof createLogger>): Promise<DemoInfo | null> {
  try {
    const { seedDemo } = await import('../demo/index.ts');
    const demo = await seedDemo(services, { sandbox, dataDir: config.dataDir, publicUrl: config.connections.publicUrl, logger: logger.child({ component: 'demo' }) });
    logger.info({ tenantId: demo.tenantId, sandbox: demo.sandboxUrl, connected: demo.connected }, 'demo ready');
    return demo;
  } catch (error) {
    logger.error({ err: error }, 'demo: set-up failed; the platform runs on');
    return null;
  }
}

function demoBanner(demo: DemoInfo, url: string | null): string {
  const lines = [`  Demo:      tenant "${demo.tenantName}" (${demo.tenantId}), sandbox at ${demo.sandboxUrl}, connected: ${demo.connected.join(', ')}`];
  if (demo.newKey !== null) lines.push(`  Demo key:  ${demo.newKey}  (shown once; also in ${demo.keyFile})`);
  else lines.push(`  Demo key:  in ${demo.keyFile}`);
  const key = demo.newKey ?? `$(cat ${demo.keyFile})`;
  if (url !== null) lines.push(`  Try:       curl -H "Authorization: Bearer ${key}" '${url}/v1/entities?type=person&limit=5'`);
  lines.push('  (--no-demo or TRIBUTARY_DEMO=false turns the demo off)');
  return lines.join('\n');
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
