export { CONFIG_KEYS, LOG_LEVELS, CONFIG_FILE_ENV, CONFIG_FILE_FLAG } from './keys.ts';
export type { ConfigKey, LogLevel, MetricsAuth, TributaryOptions } from './keys.ts';
export { loadConfig, loadOptions } from './load.ts';
export type { CliFlags, ConfigSources, LoadedOptions } from './load.ts';
export { resolveConfig, configError, withoutPassword } from './resolve.ts';
export type { ResolvedConfig, ResolveContext } from './resolve.ts';
export { Secret } from './secret.ts';
export { processEnvironment } from './environment.ts';
