import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { CONFIG_FILE_ENV, CONFIG_FILE_FLAG, CONFIG_KEYS } from './keys.ts';
import type { ConfigKey, TributaryOptions } from './keys.ts';
import { configError, resolveConfig } from './resolve.ts';
import type { ResolvedConfig } from './resolve.ts';

/** Values given on the command line, keyed by option name; only flags the user actually gave. */
export type CliFlags = Partial<Record<keyof TributaryOptions, string | boolean>> & { config?: string };

export interface ConfigSources {
  /** The environment (`process.env` in the CLI; a plain object in tests). */
  env: Readonly<Record<string, string | undefined>>;
  flags?: CliFlags;
  cwd?: string;
}

export interface LoadedOptions {
  options: TributaryOptions;
  /** For each key, where its winning value came from: `TRIBUTARY_PORT`, `--port`, `port in ./x.json`. */
  labels: Partial<Record<keyof TributaryOptions, string>>;
}

/**
 * Layers the sources: defaults (in `resolveConfig`) < the JSON config file (`--config`
 * or TRIBUTARY_CONFIG) < env vars < CLI flags. Strings from env and flags are parsed
 * into numbers, booleans and lists here; validation happens once, in `resolveConfig`.
 * An empty env var counts as unset.
 */
export function loadOptions(sources: ConfigSources): LoadedOptions {
  const cwd = sources.cwd ?? process.cwd();
  const flags = sources.flags ?? {};
  const options: Record<string, unknown> = {};
  const labels: Record<string, string> = {};

  const fileFromFlag = flags.config;
  const fileFromEnv = nonEmpty(sources.env[CONFIG_FILE_ENV]);
  const file = fileFromFlag ?? fileFromEnv;
  if (file !== undefined) {
    const fileLabel = fileFromFlag === undefined ? CONFIG_FILE_ENV : CONFIG_FILE_FLAG;
    for (const [name, value] of Object.entries(readConfigFile(resolvePath(cwd, file), fileLabel))) {
      options[name] = name === 'roles' && typeof value === 'string' ? splitList(value) : value;
      labels[name] = `${name} in ${file}`;
    }
  }

  for (const key of CONFIG_KEYS) {
    const raw = nonEmpty(sources.env[key.env]);
    if (raw === undefined) continue;
    options[key.name] = parseString(key, raw);
    labels[key.name] = key.env;
  }

  for (const key of CONFIG_KEYS) {
    const raw = flags[key.name];
    if (raw === undefined || key.flag === null) continue;
    options[key.name] = typeof raw === 'string' ? parseString(key, raw) : raw;
    labels[key.name] = key.flag;
  }

  return { options: options as TributaryOptions, labels };
}

/** `loadOptions` then `resolveConfig`: what the CLI calls. */
export function loadConfig(sources: ConfigSources): ResolvedConfig {
  const { options, labels } = loadOptions(sources);
  return resolveConfig(options, { cwd: sources.cwd, labels });
}

function readConfigFile(path: string, label: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw configError(label, `names a config file that cannot be read (${code}: ${path}) (expected a readable JSON file)`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw configError(label, `names a config file that is not valid JSON (${path}) (expected a JSON object of configuration keys)`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw configError(label, `names a config file that is not a JSON object (${path}) (expected a JSON object of configuration keys)`);
  }
  return parsed as Record<string, unknown>;
}

/** Turns a string into the key's type; a string that does not parse stays a string and fails validation. */
function parseString(key: ConfigKey, raw: string): unknown {
  const text = raw.trim();
  switch (key.parse) {
    case 'integer':
      return /^-?\d+$/.test(text) ? Number(text) : raw;
    case 'boolean':
      if (/^(true|1|yes|on)$/i.test(text)) return true;
      if (/^(false|0|no|off)$/i.test(text)) return false;
      return raw;
    case 'list':
      return splitList(text);
    case 'json':
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return raw;
      }
    case 'string':
      return raw;
  }
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
