/**
 * The TypeBox schema of a mapping document (src/domain/mapping.ts): the structural half of
 * validation, and what the API uses to describe the document in its OpenAPI output.
 */
import { Type } from 'typebox';

const PathText = Type.String({ minLength: 1, maxLength: 500, description: 'A source path (see src/mapping/path.ts).' });

export const TransformCallSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    args: Type.Optional(Type.Array(Type.Unknown(), { maxItems: 20 })),
  },
  { additionalProperties: false },
);

const valueSpecProperties = {
  source: Type.Optional(PathText),
  sources: Type.Optional(Type.Array(PathText, { minItems: 1, maxItems: 20 })),
  transforms: Type.Optional(Type.Array(TransformCallSchema, { maxItems: 30 })),
};

export const ValueSpecSchema = Type.Object(valueSpecProperties, { additionalProperties: false });

export const FieldMappingSchema = Type.Object(
  {
    target: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*$', maxLength: 200 }),
    ...valueSpecProperties,
    default: Type.Optional(Type.Unknown()),
    required: Type.Optional(Type.Boolean()),
    writable: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const Name = Type.String({ pattern: '^[a-z][a-z0-9_]*$', maxLength: 100 });

export const RelationshipMappingSchema = Type.Object(
  {
    kind: Name,
    toEntityType: Name,
    toObject: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    via: PathText,
    transforms: Type.Optional(Type.Array(TransformCallSchema, { maxItems: 30 })),
  },
  { additionalProperties: false },
);

export const TargetMappingSchema = Type.Object(
  {
    entityType: Name,
    name: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 100 })),
    object: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    key: Type.Optional(Type.Union([PathText, ValueSpecSchema])),
    each: Type.Optional(PathText),
    optional: Type.Optional(Type.Boolean()),
    version: Type.Optional(PathText),
    tombstone: Type.Optional(
      Type.Object(
        { source: PathText, equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean()])) },
        { additionalProperties: false },
      ),
    ),
    fields: Type.Array(FieldMappingSchema, { maxItems: 500 }),
    relationships: Type.Optional(Type.Array(RelationshipMappingSchema, { maxItems: 50 })),
  },
  { additionalProperties: false },
);

export const MappingDocumentSchema = Type.Object(
  {
    format: Type.Optional(Type.Literal(1)),
    version: Type.Integer({ minimum: 0 }),
    source: Type.Object(
      { provider: Type.String({ minLength: 1, maxLength: 100 }), object: Type.String({ minLength: 1, maxLength: 200 }) },
      { additionalProperties: false },
    ),
    targets: Type.Array(TargetMappingSchema, { minItems: 1, maxItems: 20 }),
  },
  { additionalProperties: false, $id: 'MappingDocument' },
);
