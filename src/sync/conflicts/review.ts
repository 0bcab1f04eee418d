/**
 * A person's decision on a stored conflict (the review queue, `POST /v1/conflicts/:id`),
 * pure: which value each field keeps, what to write to the entity, what must go out to
 * the provider, and the link's new base per field.
 *
 * The request says `resolution`: `local` or `remote` (every field takes that side) or
 * `value` (each field named in `fields`); `fields` overrides single fields, each with
 * `"local"`, `"remote"` or `{ "value": ... }`.
 *
 * The new base of a field that must still reach the provider is the provider's current
 * value, not the chosen one: until the push lands, the chosen value is a local change,
 * which the outbound worker pushes and which a provider edit made first meets as a
 * conflict again instead of silently overwriting it.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { ConflictDecision, ConflictFieldRecord, ManualChoice } from '../../domain/conflict.ts';
import { resolvePending } from './manual.ts';
import type { FieldPatch } from './resolve.ts';
import type { FieldEquals } from './values.ts';

export const REVIEW_RESOLUTIONS = ['local', 'remote', 'value'] as const;
export type ReviewResolution = (typeof REVIEW_RESOLUTIONS)[number];

/** One field's choice in a request: a side, or an explicit value. */
export type FieldChoice = 'local' | 'remote' | { readonly value: unknown };

export interface ReviewRequest {
  readonly resolution: ReviewResolution;
  readonly fields?: Readonly<Record<string, FieldChoice>>;
}

export interface ReviewOutcome {
  /** Entity fields to set (`null` removes). */
  readonly toLocal: FieldPatch;
  /** Fields whose chosen value the provider does not hold yet. */
  readonly toRemote: FieldPatch;
  /** Field -> the link's new base value. */
  readonly base: Record<string, unknown>;
  readonly decisions: Record<string, { readonly decision: ConflictDecision; readonly value: unknown }>;
}

const invalid = (field: string, message: string): TributaryError => new TributaryError('VALIDATION_FAILED', message, { field });

function fieldChoice(value: unknown, path: string): ManualChoice {
  if (value === 'local' || value === 'remote') return { side: value };
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value) {
    return { value: (value as { value: unknown }).value };
  }
  throw invalid(path, `${path}: expected "local", "remote" or { "value": ... }`);
}

/**
 * The choice for every field of the conflict. Throws VALIDATION_FAILED naming the path
 * (`resolution`, `fields`, `fields.<name>`) for an unknown resolution, a field the
 * conflict does not hold, or a field left without a choice.
 */
export function choicesFor(conflictFields: readonly string[], request: ReviewRequest): Map<string, ManualChoice> {
  if (!(REVIEW_RESOLUTIONS as readonly string[]).includes(request.resolution)) {
    throw invalid('resolution', `resolution: expected one of ${REVIEW_RESOLUTIONS.join(', ')}`);
  }
  const given = request.fields ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw invalid('fields', 'fields: expected an object of field -> choice');
  const choices = new Map<string, ManualChoice>();
  for (const [name, value] of Object.entries(given)) {
    if (!conflictFields.includes(name)) throw invalid(`fields.${name}`, `fields.${name}: this conflict holds no field "${name}" (it holds ${conflictFields.join(', ')})`);
    choices.set(name, fieldChoice(value, `fields.${name}`));
  }
  for (const name of conflictFields) {
    if (choices.has(name)) continue;
    if (request.resolution === 'value') throw invalid(`fields.${name}`, `fields.${name}: resolution "value" needs a choice for every field`);
    choices.set(name, { side: request.resolution });
  }
  return choices;
}

/**
 * Applies the choices. `currentLocal` is the entity's fields now: a field changed since
 * the conflict was recorded fails with CONFLICT (the next sync records it afresh).
 */
export function decideReview(input: {
  readonly fields: Readonly<Record<string, ConflictFieldRecord>>;
  readonly choices: ReadonlyMap<string, ManualChoice>;
  readonly currentLocal: Readonly<Record<string, unknown>>;
  readonly by: string;
  readonly equals?: FieldEquals;
}): ReviewOutcome {
  const toLocal: FieldPatch = {};
  const toRemote: FieldPatch = {};
  const base: Record<string, unknown> = {};
  const decisions: Record<string, { decision: ConflictDecision; value: unknown }> = {};
  for (const [field, record] of Object.entries(input.fields)) {
    const choice = input.choices.get(field);
    if (choice === undefined) throw invalid(`fields.${field}`, `fields.${field}: no choice given`);
    const done = resolvePending({
      conflict: { field, base: record.base, local: record.local, remote: record.remote, decision: 'pending', value: undefined, strategy: record.strategy, reason: record.reason },
      choice,
      current: { local: input.currentLocal[field], remote: record.remote },
      equals: input.equals,
      by: input.by,
    });
    Object.assign(toLocal, done.toLocal);
    Object.assign(toRemote, done.toRemote);
    base[field] = field in done.toRemote ? record.remote : done.base;
    decisions[field] = { decision: done.record.decision, value: done.record.value ?? null };
  }
  return { toLocal, toRemote, base, decisions };
}
