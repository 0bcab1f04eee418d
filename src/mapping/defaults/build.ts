/** Small builders that keep the default mappings readable; they only make plain data. */
import type { FieldMapping, TransformCall } from '../../domain/mapping.ts';

/** A transform call. */
export function t(name: string, ...args: unknown[]): TransformCall {
  return args.length > 0 ? { name, args } : { name };
}

/** A field from one source path (string) or several (array). */
export function field(
  target: string,
  source: string | readonly string[],
  transforms: readonly TransformCall[] = [],
  extra: Omit<FieldMapping, 'target' | 'source' | 'sources' | 'transforms'> = {},
): FieldMapping {
  const from = typeof source === 'string' ? { source } : { sources: source };
  return { target, ...from, ...(transforms.length > 0 ? { transforms } : {}), ...extra };
}

/** A field the provider computes or owns: read, never pushed back. */
export function readOnly(target: string, source: string | readonly string[], transforms: readonly TransformCall[] = []): FieldMapping {
  return field(target, source, transforms, { writable: false });
}
