/**
 * The logging surface feature code may use: pino's, so the runtime can hand in a pino
 * child logger. Log objects must never contain secret values; the runtime's redaction
 * is a safety net, not a licence.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
