/**
 * The conversion schema ("mapping") data model: a declarative, JSON-serialisable document
 * that turns one provider record into entities and relationships, and the shapes that
 * applying it produces. `src/mapping/` owns the behaviour (validation, compilation,
 * application, inversion); these are only the types everyone shares.
 */

/** The document format this code reads. Documents carry it in `format`; absent means 1. */
export const MAPPING_FORMAT = 1;

/** One transform step: a registered transform name and its positional arguments. */
export interface TransformCall {
  readonly name: string;
  readonly args?: readonly unknown[];
}

/**
 * Where a value comes from: one source path (`source`) or several (`sources`, handed to
 * the first transform as an array), then transforms applied in order.
 */
export interface ValueSpec {
  readonly source?: string;
  readonly sources?: readonly string[];
  readonly transforms?: readonly TransformCall[];
}

/** One entity field produced from the record. */
export interface FieldMapping extends ValueSpec {
  /** The entity field; dots nest (`address.city`). Unique within a target. */
  readonly target: string;
  /** Used when the source is missing or the transforms give null/undefined. */
  readonly default?: unknown;
  /** A required field that cannot be produced fails the whole record. */
  readonly required?: boolean;
  /** false: never pushed back, even when every transform has an inverse. Default true. */
  readonly writable?: boolean;
}

/**
 * A directed edge from the target's entity to another entity, named by its external
 * reference: (`toObject`, value at `via`). `via` may yield an array (one edge per value).
 * The sync engine resolves the reference through entity links; the other entity may be
 * produced by the same record (another target) or by another sync.
 */
export interface RelationshipMapping {
  /** `works_at`, `belongs_to`, `authored_by`, ... */
  readonly kind: string;
  readonly toEntityType: string;
  /** The external object of the other entity's link; default: `toEntityType`. */
  readonly toObject?: string;
  readonly via: string;
  readonly transforms?: readonly TransformCall[];
}

/** Marks the produced entity deleted at the provider when the value at `source` matches. */
export interface TombstoneSpec {
  readonly source: string;
  /** Compared with `===`; absent means "truthy". */
  readonly equals?: string | number | boolean;
}

/** One entity type produced from the record (or from each element of an array in it). */
export interface TargetMapping {
  readonly entityType: string;
  /** Local name, unique within the document; default: `entityType`. */
  readonly name?: string;
  /** The external object of this entity's link; default: the document's source object. */
  readonly object?: string;
  /** The external id: a path (string) or a value spec. Default: `id`. */
  readonly key?: string | ValueSpec;
  /**
   * Produce one entity per element of this array path; the target's other paths are then
   * relative to the element (`$record.` reaches the whole record).
   */
  readonly each?: string;
  /**
   * An optional target is skipped quietly when its key is missing (a Contact without an
   * AccountId); a required (default) target without a key fails the record.
   */
  readonly optional?: boolean;
  /** The provider's version of the record (etag, modified time), carried to the link. */
  readonly version?: string;
  readonly tombstone?: TombstoneSpec;
  readonly fields: readonly FieldMapping[];
  readonly relationships?: readonly RelationshipMapping[];
}

/** A mapping document, as stored on an integration and edited through the API. */
export interface MappingDocument {
  /** Document format; absent means MAPPING_FORMAT. */
  readonly format?: number;
  /** The document's own revision, bumped by the API on every change. */
  readonly version: number;
  readonly source: { readonly provider: string; readonly object: string };
  readonly targets: readonly TargetMapping[];
}

/** Inputs a mapping may use besides the record; never read from the environment or clock. */
export interface MappingContext {
  /** ISO 3166-1 alpha-2 region for phone numbers without a country code. Default `US`. */
  readonly defaultRegion?: string;
  /** IANA zone for local date-times without an offset. Default `UTC`. */
  readonly timeZone?: string;
  /** Extra values reachable from paths as `$vars.name` (a Slack message's channel id, ...). */
  readonly vars?: Readonly<Record<string, unknown>>;
}

/** An external reference to an entity: what its link is keyed by. */
export interface EntityRef {
  readonly entityType: string;
  readonly object: string;
  readonly externalId: string;
}

/** One entity produced by a mapping, keyed by its external reference. */
export interface MappedEntity extends EntityRef {
  /** The target's name in the document. */
  readonly target: string;
  readonly fields: Record<string, unknown>;
  readonly remoteVersion: string | null;
  /** The record says it is deleted at the provider (tombstone matched). */
  readonly deleted: boolean;
}

/** A relationship between two external references; the sync engine resolves both ends. */
export interface MappedRelationship {
  readonly kind: string;
  readonly from: EntityRef;
  readonly to: EntityRef;
}

/** One thing that went wrong; `field` is `target.entityField` (or `target.$key`, ...). */
export interface MappingIssue {
  readonly field: string;
  readonly reason: string;
}

/**
 * What applying a mapping to one record gives. `failed` is true when the record could not
 * be mapped at all (a required field or the primary key failed); then `entities` and
 * `relationships` are empty and `errors` says why.
 */
export interface MappingResult {
  readonly entities: MappedEntity[];
  readonly relationships: MappedRelationship[];
  readonly errors: MappingIssue[];
  readonly failed: boolean;
}

/** A field that push cannot write back, and why. */
export interface NotWritableField {
  readonly field: string;
  readonly reason: string;
}

/** The provider-side patch for pushing entity fields back through a mapping. */
export interface InverseResult {
  /** Provider record fields, nested as the source paths say. */
  readonly patch: Record<string, unknown>;
  /** Entity fields that were given but cannot be written back. */
  readonly notWritable: NotWritableField[];
  /** Fields whose inverse transforms failed on the given value. */
  readonly errors: MappingIssue[];
}

/** A problem found in a mapping document; `path` is a JSON path (`/targets/0/fields/2/transforms/0/name`). */
export interface MappingValidationError {
  readonly path: string;
  readonly reason: string;
}
