/**
 * Mapping preview, for `POST /v1/integrations/:id/mapping/preview` and the UI: a mapping
 * applied to a few sample records, flattened into one row per output field with either
 * its value or its error, so a person can see what each field gives.
 */
import type { MappingContext, MappedRelationship } from '../domain/mapping.ts';
import type { CompiledMapping } from './compile.ts';
import { getField } from './path.ts';

export interface PreviewField {
  /** `target.entityField`, as in mapping errors (`person.email`). */
  readonly field: string;
  readonly externalId: string | null;
  readonly value?: unknown;
  readonly error?: string;
}

export interface PreviewRecord {
  readonly index: number;
  readonly failed: boolean;
  readonly fields: PreviewField[];
  readonly relationships: MappedRelationship[];
  /** Errors not tied to one output field (`person.$key`, relationships). */
  readonly errors: { field: string; reason: string }[];
}

/** Applies a compiled mapping to sample records; never throws for bad data. */
export function previewCompiled(compiled: CompiledMapping, records: readonly unknown[], context?: MappingContext): PreviewRecord[] {
  return records.map((record, index) => {
    const result = compiled.apply(record, context);
    const errorsByField = new Map<string, string>();
    for (const e of result.errors) if (!errorsByField.has(e.field)) errorsByField.set(e.field, e.reason);
    const fields: PreviewField[] = [];
    const used = new Set<string>();
    for (const target of compiled.targets) {
      const produced = result.entities.filter((e) => e.target === target.name);
      const instances = produced.length > 0 ? produced : [null];
      for (const entity of instances) {
        for (const f of target.fields) {
          const error = errorsByField.get(f.label);
          if (error !== undefined) {
            used.add(f.label);
            fields.push({ field: f.label, externalId: entity?.externalId ?? null, error });
            continue;
          }
          if (!entity) continue;
          const { found, value } = getField(entity.fields, f.spec.target);
          if (found) fields.push({ field: f.label, externalId: entity.externalId, value });
        }
      }
    }
    const errors = result.errors.filter((e) => !used.has(e.field));
    return { index, failed: result.failed, fields, relationships: result.relationships, errors };
  });
}
