import { createHash, timingSafeEqual } from 'node:crypto';

const REDACTED = '[redacted]';

/**
 * A configuration value that must never be printed: the admin key, the master key,
 * connection URLs with passwords. It reveals its value only on an explicit `reveal()`;
 * string conversion, JSON and `util.inspect` all show `[redacted]`, so a config object
 * that ends up in a log line or an error message leaks nothing.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Constant-time comparison by SHA-256, so neither length nor content leaks through timing. */
  equals(candidate: string): boolean {
    return timingSafeEqual(sha256(this.#value), sha256(candidate));
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
