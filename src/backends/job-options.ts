import { TributaryError } from '../domain/errors.ts';
import type { Logger } from '../ports/logger.ts';

/** Option checks shared by the queue backends: a bad value stops the composition root with the option's name. */
export function positiveInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new TributaryError('CONFIG_INVALID', `${field} must be a positive integer`, { field });
  }
  return value;
}

export function nonNegativeInt(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) {
    throw new TributaryError('CONFIG_INVALID', `${field} must be a non-negative integer`, { field });
  }
  return value;
}

/** The logger a backend uses when none is given. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
