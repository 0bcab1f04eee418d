/** The registry of built-in transforms: looked up by name at compile, listed by the API/UI. */
import type { ArgSpec, InverseKind, TransformDef, ValueType } from './types.ts';
import { CONTACT_TRANSFORMS } from './contact.ts';
import { DATE_TRANSFORMS } from './dates.ts';
import { NAME_TRANSFORMS } from './names.ts';
import { NOTION_TRANSFORMS } from './notion.ts';
import { NUMBER_TRANSFORMS } from './numbers.ts';
import { RICH_TEXT_TRANSFORMS } from './rich-text.ts';
import { STRUCTURE_TRANSFORMS } from './structure.ts';
import { TEXT_TRANSFORMS } from './text.ts';

const ALL: readonly TransformDef[] = [
  ...TEXT_TRANSFORMS,
  ...NAME_TRANSFORMS,
  ...CONTACT_TRANSFORMS,
  ...DATE_TRANSFORMS,
  ...NUMBER_TRANSFORMS,
  ...STRUCTURE_TRANSFORMS,
  ...RICH_TEXT_TRANSFORMS,
  ...NOTION_TRANSFORMS,
];

export const TRANSFORMS: ReadonlyMap<string, TransformDef> = new Map(ALL.map((t) => [t.name, t]));

export function getTransform(name: string): TransformDef | undefined {
  return TRANSFORMS.get(name);
}

/** A transform as the API and the UI list it. */
export interface TransformInfo {
  readonly name: string;
  readonly doc: string;
  readonly input: ValueType;
  readonly output: ValueType;
  readonly args: readonly ArgSpec[];
  readonly minArgs: number;
  readonly maxArgs: number;
  /** `conditional`: invertible with some arguments only (see the doc). */
  readonly inverse: InverseKind | 'conditional' | null;
  /** Takes the array of a field's `sources`. */
  readonly multiSource: boolean;
}

export function listTransforms(): TransformInfo[] {
  return ALL.map((t) => ({
    name: t.name,
    doc: t.doc,
    input: t.input,
    output: t.output,
    args: t.args,
    minArgs: t.args.filter((a) => a.required).length,
    maxArgs: t.args.length,
    inverse: t.inverse ? (t.inverse.available ? 'conditional' : t.inverse.kind) : null,
    multiSource: t.multiSource === true,
  }));
}
