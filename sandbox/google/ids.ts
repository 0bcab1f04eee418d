import type { Rng } from '../core/types.ts';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';
const DRIVE_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const HEX = '0123456789abcdef';

/** Deterministic identifiers in Google's formats, from one seeded stream. */
export class GoogleIds {
  constructor(private readonly rng: Rng) {}

  private draw(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.rng.int(0, alphabet.length)];
    return out;
  }

  /** `c` + 19 digits: the id part of a contact's `people/c…` resource name. */
  contactId(): string {
    return `c${this.rng.int(1, 10)}${this.draw('0123456789', 18)}`;
  }

  /** A contact source id (16 hex digits). */
  sourceId(): string {
    return this.draw(HEX, 16);
  }

  /** A People etag (`%Eg…` base64-looking). */
  personEtag(): string {
    return `%Eg${this.draw(B64, 29)}=`;
  }

  /** A Calendar event id: base32hex lowercase, 26 chars. */
  eventId(): string {
    return this.draw(BASE32HEX, 26);
  }

  /** A Drive file id: 33 chars starting with `1`. */
  fileId(): string {
    return `1${this.draw(DRIVE_CHARS, 32)}`;
  }

  /** A sync or page token: opaque base64url. */
  token(prefix = ''): string {
    return `${prefix}${this.draw(DRIVE_CHARS, 40)}`;
  }

  /** A watch resource id (opaque). */
  resourceId(): string {
    return this.draw(DRIVE_CHARS.slice(0, 62), 27);
  }
}
