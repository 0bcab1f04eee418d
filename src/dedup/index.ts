/**
 * Deduplication (the reference's IntegrationDeduplicationService), pure: normalisers,
 * comparators, phonetic codes, blocking, Fellegi-Sunter scoring with two thresholds, and
 * union-find clustering with undo-able lineage. The public surface other modules use.
 */
export { findDuplicates, linkRecords } from './engine.ts';
export { inferFieldKind, inferFields, inferRules } from './infer.ts';
export { DEFAULT_RULES, DEFAULT_THRESHOLDS, KIND_DEFAULTS, resolveRules, rulesFor } from './rules.ts';
export type { ResolvedFieldRule, ResolvedRules } from './rules.ts';
export { clusterLinks, detachMember, undoSteps, UnionFind } from './cluster.ts';
export type { Link } from './cluster.ts';
export {
  foldText, normalizeAddress, normalizeDate, normalizeDomain, normalizeEmail, normalizeGivenName, normalizeIdentifier,
  normalizeName, normalizeOrganisation, normalizePhone, normalizePostcode, normalizeText,
} from './normalize.ts';
export type { DateOrder } from './normalize.ts';
export { exact, jaro, jaroWinkler, levenshtein, levenshteinSimilarity, tokenSetRatio } from './compare.ts';
export { metaphone, phoneticKey, soundsAlike } from './phonetic.ts';
export { areNicknameVariants, canonicalGivenName } from './nicknames.ts';
export { similarity } from './scoring.ts';
export { formatCsvField, formatCsvRow, parseCsv } from './csv.ts';
export type * from './types.ts';
