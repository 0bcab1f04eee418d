import { Type } from 'typebox';
import { Id, Timestamp } from '../schemas.ts';
import { JsonObject } from './sync-schemas.ts';

/** Request and response schemas of the dedup review queue and the merge routes. */

export const ReviewId = Id('rev', 'A dedup review id.');
export const MergeId = Id('mrg', 'A merge id.');
export const ReviewStatus = Type.Union([Type.Literal('open'), Type.Literal('merged'), Type.Literal('dismissed')]);
export const Decision = Type.Union([Type.Literal('accept'), Type.Literal('reject')], { description: '`accept` merges the two candidates; `reject` dismisses the review and remembers the pair as distinct.' });

const Candidate = Type.Object({
  id: Type.String(),
  exists: Type.Boolean({ description: 'False when the entity no longer exists.' }),
  type: Type.Union([Type.String(), Type.Null()]),
  fields: JsonObject,
  deletedAt: Type.Union([Timestamp, Type.Null()]),
  mergedInto: Type.Union([Type.String(), Type.Null()]),
});

const Comparison = Type.Object({
  field: Type.String(),
  values: Type.Array(Type.Unknown(), { minItems: 2, maxItems: 2, description: "The first candidate's value, then the second's." }),
  same: Type.Boolean(),
  similarity: Type.Union([Type.Number(), Type.Null()], { description: "The field comparator's similarity in [0, 1], for fields the dedup rules compare." }),
  kind: Type.Union([Type.String(), Type.Null()], { description: 'The field kind in the dedup rules; null: not compared.' }),
});

export const DedupReview = Type.Object({
  id: Type.String(),
  status: ReviewStatus,
  entityType: Type.Union([Type.String(), Type.Null()]),
  score: Type.Union([Type.Number(), Type.Null()], { description: 'The match probability the dedup engine gave the pair.' }),
  candidates: Type.Array(Candidate, { minItems: 2, maxItems: 2 }),
  comparison: Type.Array(Comparison, { description: 'The candidates side by side, field by field: rule fields first.' }),
  payload: JsonObject,
  resolution: Type.Union([JsonObject, Type.Null()]),
  createdAt: Timestamp,
  resolvedAt: Type.Union([Timestamp, Type.Null()]),
});

export const Merge = Type.Object({
  id: Type.String(),
  survivorId: Type.String(),
  mergedId: Type.String(),
  reason: JsonObject,
  mergedAt: Timestamp,
  undoneAt: Type.Union([Timestamp, Type.Null()]),
});
