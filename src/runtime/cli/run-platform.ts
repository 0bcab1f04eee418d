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
  // With `--port 0` and no configured public URL, the real port is known once listening (set below).
  let publicUrl = config.connections.publicUrl;
  let platform: Awaited<ReturnType<typeof buildPlatform>>;
  try {
    platform = await buildPlatform(config, { logger, publicUrl: () => publicUrl, ...(sandbox === null ? {} : { egressAllowOrigins: [new URL(sandbox.url).origin] }) });
  } catch (error) {
    await sandbox?.close();
    throw error;
  }
  let running: RunningRoles;
  try {
    running = await startRoles(config.roles, {
      services: platform.services, server: config.server, tokenRefresher: config.tokenRefresher, leader: config.leader, retention: config.retention, workers: config.workers, roles: config.roles, logger,
    });
  } catch (error) {
    await platform.close();
    await sandbox?.close();
    throw error;
  }
  publicUrl = publicUrlOnceListening(config, running.url);
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
  logger.info({ url: running.url, roles: config.roles, store: config.store.display, redis: config.redis?.display ?? null, demo: config.demo }, 'tributary started');
  const demo = sandbox === null ? null : await seedDemoSafely(platform.services, sandbox, config, publicUrl, logger);
  io.stderr(await banner(config, running, platform.services));
  if (demo !== null) io.stderr(demoBanner(demo, running.url));
}

/**
 * The configured public URL, except that the default one made from `--port 0` (`http://host:0`:
 * a configured URL never has port 0) takes the port the server actually listens on.
 */
export function publicUrlOnceListening(config: ResolvedConfig, listeningUrl: string | null): string {
  const configured = new URL(config.connections.publicUrl);
  if (config.server.port !== 0 || configured.port !== '0' || listeningUrl === null) return config.connections.publicUrl;
  configured.port = new URL(listeningUrl).port;
  return configured.origin;
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

async function seedDemoSafely(services: Services, sandbox: DemoSandbox, config: ResolvedConfig, publicUrl: string, logger: ReturnType<typeof createLogger>): Promise<DemoInfo | null> {
  try {
    const { seedDemo } = await import('../demo/index.ts');
    const demo = await seedDemo(services, { sandbox, dataDir: config.dataDir, publicUrl, logger: logger.child({ component: 'demo' }) });
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
  const api = config.roles.includes('api');
  if (running.url === null) lines.push('Tributary is running (no server in this process).');
  else lines.push(api ? `Tributary is running at ${running.url}` : `Tributary webhook intake is running at ${running.url}`);
  if (running.url !== null && api) lines.push(`  API docs:  ${running.url}/docs`);
  lines.push(`  Roles:     ${config.roles.join(', ')}`);
  if (config.redis === null) lines.push(`  Data:      ${config.dataDir} (tributary.db, master.key)`);
  else lines.push(`  Cluster:   store ${config.store.display}; queue, locks and counters on ${config.redis.display} (prefix ${config.redis.prefix})`);
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
