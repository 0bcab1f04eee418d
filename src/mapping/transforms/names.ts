/** Person-name transforms: split a full name into given and family names, and join them. */
import type { TransformDef } from './types.ts';
import { TransformError, expectArray, expectString } from './types.ts';

/** Family-name particles kept with the family name ("Ludwig van Beethoven"). */
const PARTICLES = new Set(['van', 'von', 'de', 'del', 'della', 'da', 'di', 'du', 'la', 'le', 'der', 'den', 'ter', 'ten', 'bin', 'ibn', 'al', 'st.', 'st']);

/**
 * Splits a full name into [given, family]. "Lovelace, Ada" puts the family first; with
 * more than two words, the last word (with any particles before it) is the family name.
 */
export function splitName(full: string): [string, string] {
  const text = full.replace(/\s+/g, ' ').trim();
  if (text === '') return ['', ''];
  const comma = text.indexOf(',');
  if (comma > 0) return [text.slice(comma + 1).trim(), text.slice(0, comma).trim()];
  const words = text.split(' ');
  if (words.length === 1) return [words[0] as string, ''];
  let familyStart = words.length - 1;
  while (familyStart > 1 && PARTICLES.has((words[familyStart - 1] as string).toLowerCase())) familyStart--;
  return [words.slice(0, familyStart).join(' '), words.slice(familyStart).join(' ')];
}

export function joinName(given: unknown, family: unknown): string {
  return [given, family]
    .filter((p) => typeof p === 'string' && p.trim() !== '')
    .map((p) => (p as string).trim())
    .join(' ');
}

function pair(v: unknown, name: string): [unknown, unknown] {
  const parts = expectArray(v, name);
  if (parts.length !== 2) throw new TransformError(`${name} expects two values [given, family], got ${parts.length}`);
  return [parts[0], parts[1]];
}

export const NAME_TRANSFORMS: readonly TransformDef[] = [
  {
    name: 'split_name',
    doc: 'Full name -> [given, family] ("Ada King Lovelace" -> ["Ada King", "Lovelace"]; "Lovelace, Ada" too). Inverse: join_name.',
    input: 'string',
    output: 'array',
    args: [],
    make: () => (v) => splitName(expectString(v, 'split_name')),
    inverse: { kind: 'exact', make: () => (v) => { const [g, f] = pair(v, 'split_name'); return joinName(g, f); } },
  },
  {
    name: 'join_name',
    doc: 'Sources [given, family] -> "given family" (empty parts skipped). Inverse: split_name, written back to both sources.',
    input: 'array',
    output: 'string',
    args: [],
    multiSource: true,
    make: () => (v) => { const [g, f] = pair(v, 'join_name'); const joined = joinName(g, f); return joined === '' ? null : joined; },
    inverse: { kind: 'exact', make: () => (v) => splitName(expectString(v, 'join_name')) },
  },
  {
    name: 'given_name',
    doc: 'The given-name part of a full name. Not invertible alone.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => splitName(expectString(v, 'given_name'))[0] || null,
  },
  {
    name: 'family_name',
    doc: 'The family-name part of a full name. Not invertible alone.',
    input: 'string',
    output: 'string',
    args: [],
    make: () => (v) => splitName(expectString(v, 'family_name'))[1] || null,
  },
];
