import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The demo's sandbox as the rest of the demo sees it. */
export interface DemoSandbox {
  /** Base URL, e.g. `http://127.0.0.1:41234` (providers under `/salesforce`, `/github`, ...). */
  readonly url: string;
  close(): Promise<void>;
}

/** Size of the demo's generated company: enough to show merging, small enough to sync in seconds. */
export const DEMO_SANDBOX_SIZE = 2_000;
/** Fixed seed: the same people on every start. */
export const DEMO_SANDBOX_SEED = 42;
const HOST = '127.0.0.1';

/**
 * Starts the provider sandbox in this process on loopback, seeded. The port of the
 * previous start (kept in `<dataDir>/demo-sandbox.json`) is tried first so that stored
 * connections keep their base URL; when it is taken, a free one is used.
 */
export async function startDemoSandbox(options: { dataDir: string; size?: number }): Promise<DemoSandbox> {
  // Loaded only here: the product does not depend on its test harness otherwise.
  const { startSandbox } = await import('../../../sandbox/index.ts');
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const stateFile = join(options.dataDir, 'demo-sandbox.json');
  const previous = readPort(stateFile);
  const settings = { host: HOST, seed: DEMO_SANDBOX_SEED, size: options.size ?? DEMO_SANDBOX_SIZE, rateLimitScale: 100 };
  let started: Awaited<ReturnType<typeof startSandbox>>;
  try {
    started = await startSandbox({ ...settings, port: previous ?? 0 });
  } catch (error) {
    if (previous === null) throw error;
    started = await startSandbox({ ...settings, port: 0 });
  }
  const port = Number(new URL(started.url).port);
  try {
    writeFileSync(stateFile, `${JSON.stringify({ port })}\n`, { mode: 0o600 });
  } catch {
    // Only a convenience for the next start.
  }
  return { url: started.url, close: started.close };
}

function readPort(file: string): number | null {
  try {
    const port = (JSON.parse(readFileSync(file, 'utf8')) as { port?: unknown }).port;
    return typeof port === 'number' && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
  } catch {
    return null;
  }
}
