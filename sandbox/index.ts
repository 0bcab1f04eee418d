/**
 * The provider sandbox: simulators of Salesforce, Notion, Slack, GitHub and Google under
 * one server, with the control API under `/_sandbox`. Tests start it in-process on an
 * ephemeral port (`createSandbox` then `listen(0)`); `tributary sandbox` calls `startSandbox`.
 */
import { buildSandbox, type Sandbox } from './core/server.ts';
import type { ProviderSimulator, SandboxOptions } from './core/types.ts';
import { defaultSimulators } from './providers.ts';

export type { Sandbox } from './core/server.ts';
export type * from './core/types.ts';
export { PROVIDER_NAMES } from './core/types.ts';
export { SandboxHttpError } from './core/errors.ts';
export { defaultSimulators } from './providers.ts';

export type CreateSandboxInput = Partial<SandboxOptions> & { providers?: ProviderSimulator[]; logger?: boolean };

/** Builds (but does not listen) a sandbox; `providers` defaults to every simulator. */
export async function createSandbox(options: CreateSandboxInput = {}): Promise<Sandbox> {
  return buildSandbox({ ...options, providers: options.providers ?? defaultSimulators() });
}

export interface StartSandboxOptions {
  port?: number;
  host?: string;
  seed?: number;
  size?: number;
  rateLimitScale?: number;
  tokenLifetimes?: SandboxOptions['tokenLifetimes'];
  webhookDelayScale?: number;
  logger?: boolean;
}

/** Builds and listens: what `tributary sandbox` runs. Resolves with the base URL. */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<{ url: string; sandbox: Sandbox; close(): Promise<void> }> {
  const input: CreateSandboxInput = {};
  if (options.seed !== undefined) input.seed = options.seed;
  if (options.size !== undefined) input.size = options.size;
  if (options.rateLimitScale !== undefined) input.rateLimitScale = options.rateLimitScale;
  if (options.tokenLifetimes !== undefined) input.tokenLifetimes = options.tokenLifetimes;
  if (options.webhookDelayScale !== undefined) input.webhookDelayScale = options.webhookDelayScale;
  if (options.logger !== undefined) input.logger = options.logger;
  const sandbox = await createSandbox(input);
  try {
    const url = await sandbox.listen(options.port ?? 0, options.host ?? '127.0.0.1');
    return { url, sandbox, close: () => sandbox.close() };
  } catch (error) {
    await sandbox.close();
    throw error;
  }
}
