/**
 * The process environment, read-only. Configuration is the one module allowed to touch
 * `process.env` (STYLE.md 9); the CLI takes it from here and hands it to `loadConfig`.
 */
export function processEnvironment(): Readonly<Record<string, string | undefined>> {
  return process.env;
}
