/**
 * The shape of a built-in transform. A transform is a small pure function built once per
 * mapping from its validated arguments (`make`), then applied per record. It declares
 * its input and output types (checked along a chain at validation), its arguments (for
 * arity and type checks, and for the API's list), and, when it can be undone, an inverse.
 */

/** Value types a transform takes or gives; `any` matches everything. */
export type ValueType = 'any' | 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object';

/** Argument types, checked when a mapping is validated. */
export type ArgType =
  | 'any'
  | 'string'
  | 'number'
  | 'integer'
  | 'boolean'
  | 'object'
  | 'array'
  /** An IANA time zone (`Europe/Paris`). */
  | 'timezone'
  /** An ISO 3166-1 alpha-2 region with phone metadata (`GB`). */
  | 'region'
  /** A JavaScript regular expression source. */
  | 'regex'
  /** An ISO 4217 code (`EUR`). */
  | 'currency'
  /** A source path (src/mapping/path.ts syntax). */
  | 'path';

export interface ArgSpec {
  readonly name: string;
  readonly type: ArgType;
  readonly required: boolean;
  readonly doc: string;
  /** For string arguments: the only values allowed. */
  readonly oneOf?: readonly string[];
}

/** What a transform may read besides its input: resolved from the MappingContext. */
export interface TransformContext {
  readonly defaultRegion: string;
  readonly timeZone: string;
}

export type TransformFn = (value: unknown, ctx: TransformContext) => unknown;

/**
 * `exact`: applying the inverse then the transform gives the value back.
 * `normalizing`: the transform only normalises (trim, case, E.164); its output is itself
 * a valid provider value, so the inverse writes it back as it is.
 */
export type InverseKind = 'exact' | 'normalizing';

export interface TransformDef {
  readonly name: string;
  readonly doc: string;
  readonly input: ValueType;
  readonly output: ValueType;
  readonly args: readonly ArgSpec[];
  /** Called with null/undefined too; otherwise a nullish input passes through untouched. */
  readonly acceptsNullish?: boolean;
  /** Takes the array of a field's `sources` (one element per source). */
  readonly multiSource?: boolean;
  /** Builds the forward function from validated arguments; runs once per compile. */
  make(args: readonly unknown[]): TransformFn;
  readonly inverse?: {
    readonly kind: InverseKind;
    /** Some transforms are invertible only with some arguments (a map with unique values). */
    available?(args: readonly unknown[]): boolean;
    /** `sourceCount`: how many sources the field reads (the inverse writes back to each). */
    make(args: readonly unknown[], sourceCount: number): TransformFn;
  };
}

/**
 * Thrown by a transform for a value it cannot convert; the engine records the reason.
 * No stack trace: only the reason is ever used, and capturing a stack made a bad value
 * cost more than mapping a whole record on the ingest path.
 */
export class TransformError extends Error {
  constructor(reason: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(reason);
    Error.stackTraceLimit = limit;
    this.name = 'TransformError';
  }
}

/** Short, safe description of a value for error reasons (never the whole value). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

export function expectString(value: unknown, transform: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TransformError(`${transform} expects text, got ${describe(value)}`);
}

export function expectArray(value: unknown, transform: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new TransformError(`${transform} expects an array, got ${describe(value)}`);
}

export const identity: TransformFn = (value) => value;

/** A transform whose inverse writes its own output back (see InverseKind). */
export const normalizingInverse = { kind: 'normalizing', make: () => identity } as const;

export function arg<T>(args: readonly unknown[], index: number, fallback: T): T {
  const v = args[index];
  return v === undefined || v === null ? fallback : (v as T);
}
