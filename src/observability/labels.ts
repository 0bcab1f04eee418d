/** Longest label value kept; longer ones are cut (a label is a name, never a payload). */
const MAX_LABEL_LENGTH = 64;

/** A label value from caller input: trimmed, cut to 64 characters, `unknown` when empty or missing. */
export function labelValue(value: string | null | undefined): string {
  const trimmed = (value ?? '').trim();
  return trimmed === '' ? 'unknown' : trimmed.slice(0, MAX_LABEL_LENGTH);
}

/** Milliseconds to seconds; null for a value that is not a finite number (nothing is recorded). */
export function seconds(ms: number): number | null {
  return Number.isFinite(ms) ? Math.max(0, ms) / 1000 : null;
}

/** A count: null unless a finite number; negatives become 0. */
export function count(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value)) return null;
  return Math.max(0, value);
}
