import type { Rng } from '../core/types.ts';

const HEX = '0123456789abcdef';
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Deterministic identifiers in Notion's formats, drawn from one seeded stream. */
export class NotionIds {
  constructor(private readonly rng: Rng) {}

  /** A dashed UUID (v4 layout), as Notion shows page, user and database ids. */
  uuid(): string {
    let hex = '';
    for (let i = 0; i < 32; i++) hex += HEX[this.rng.int(0, 16)];
    hex = hex.slice(0, 12) + '4' + hex.slice(13, 16) + HEX[8 + this.rng.int(0, 4)] + hex.slice(17);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** A short property id, URL-encoded the way Notion shows them (`%3AUPp`). */
  propertyId(): string {
    let id = '';
    for (let i = 0; i < 4; i++) id += ID_CHARS[this.rng.int(0, ID_CHARS.length)];
    return encodeURIComponent(`${'%:;<=>?'[this.rng.int(0, 7)]}${id}`);
  }

  /** An opaque secret with Notion's prefix (`secret_…`), for webhook verification tokens. */
  secret(prefix: string): string {
    let s = '';
    for (let i = 0; i < 43; i++) s += ID_CHARS[this.rng.int(0, ID_CHARS.length)];
    return `${prefix}${s}`;
  }
}

/** Accepts ids with or without dashes, as Notion does, and returns the dashed form. */
export function normalizeId(raw: string): string | null {
  const hex = raw.replace(/-/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
