/**
 * The mapping engine (the reference's ConversionSchemaService): declarative, versioned
 * mapping documents from one provider object to entities and relationships, validated,
 * compiled once and applied per record; inverted for push; with default mappings for
 * every provider object Tributary syncs. Pure: no I/O, no clock, no environment.
 */
import type { InverseResult, MappingContext, MappingDocument, MappingResult } from '../domain/mapping.ts';
import { compileMapping } from './compile.ts';
import type { CompiledMapping } from './compile.ts';
import { inverseApply, inverseOf } from './inverse.ts';
import type { InverseMapping } from './inverse.ts';
import { previewCompiled } from './preview.ts';
import type { PreviewRecord } from './preview.ts';

export { compileMapping } from './compile.ts';
export type { CompiledMapping } from './compile.ts';
export { validateMapping, assertValidMapping } from './validate.ts';
export { MappingDocumentSchema, FieldMappingSchema, TargetMappingSchema, RelationshipMappingSchema, TransformCallSchema } from './schema.ts';
export { listTransforms, TRANSFORMS } from './transforms/registry.ts';
export type { TransformInfo } from './transforms/registry.ts';
export type { InverseMapping, WritableField } from './inverse.ts';
export type { PreviewField, PreviewRecord } from './preview.ts';
export { parsePath, compilePath, PathSyntaxError } from './path.ts';
export type { ParsedPath, PathGetter } from './path.ts';
export { defaultMapping, listDefaultMappings, DEFAULT_OBJECTS } from './defaults/index.ts';

const compiledCache = new WeakMap<object, CompiledMapping>();

/** Compiles a document once per object identity; later calls reuse the compiled form. */
export function getCompiledMapping(mapping: MappingDocument | CompiledMapping): CompiledMapping {
  if ('apply' in mapping && typeof mapping.apply === 'function') return mapping;
  let c = compiledCache.get(mapping);
  if (!c) {
    c = compileMapping(mapping);
    compiledCache.set(mapping, c);
  }
  return c;
}

/** The paths the mapping reads from a record (CompiledMapping.recordPaths), for ReadOptions.paths. */
export function recordPathsOf(mapping: MappingDocument | CompiledMapping): readonly string[] {
  return getCompiledMapping(mapping).recordPaths;
}

/**
 * Maps one provider record into entities and relationships. Bad data never throws: each
 * failing field is an error `{ field: "target.entityField", reason }` and the rest still
 * maps; a failing required field (or missing key) fails the record (`failed: true`).
 * Throws VALIDATION_FAILED only for an invalid mapping document.
 */
export function applyMapping(mapping: MappingDocument | CompiledMapping, record: unknown, context?: MappingContext): MappingResult {
  return getCompiledMapping(mapping).apply(record, context);
}

/** Which entity fields of the mapping can be pushed back to the provider, and why not the others. */
export function invertMapping(mapping: MappingDocument | CompiledMapping): InverseMapping {
  return inverseOf(getCompiledMapping(mapping));
}

/** The provider-side patch for pushing entity field values back through the mapping. */
export function applyInverse(mapping: MappingDocument | CompiledMapping, entityFields: Record<string, unknown>, context?: MappingContext): InverseResult {
  return inverseApply(getCompiledMapping(mapping), entityFields, context);
}

/** The mapping applied to sample records, one row per output field with its value or error. */
export function previewMapping(mapping: MappingDocument | CompiledMapping, records: readonly unknown[], context?: MappingContext): PreviewRecord[] {
  return previewCompiled(getCompiledMapping(mapping), records, context);
}
