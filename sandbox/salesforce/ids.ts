/**
 * Salesforce record ids: 15 case-sensitive characters (3-char key prefix, pod, counter in
 * base 62) plus the 3-character case-insensitive checksum suffix that makes the 18-char form.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

export const KEY_PREFIXES = {
  Account: '001',
  Contact: '003',
  Opportunity: '006',
  User: '005',
  Organization: '00D',
  QueryLocator: '01g',
  OutboundAction: '04k',
  OutboundNotification: '04l',
} as const;

/** The 18-character form of a 15-character id. */
export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX_CHARS[bits];
  }
  return id15 + suffix;
}

/** A 15-char id from a key prefix and a counter: `001` + `5g0` + 9 base-62 digits. */
export function makeId15(prefix: string, counter: number): string {
  let n = Math.floor(counter);
  let digits = '';
  for (let i = 0; i < 9; i++) {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  }
  return `${prefix}5g0${digits}`;
}

export function makeId(prefix: string, counter: number): string {
  return to18(makeId15(prefix, counter));
}

/** The lookup key of a 15- or 18-char id (its case-sensitive 15-char form), or null when malformed. */
export function idKey(id: string): string | null {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-5]{3})?$/.test(id)) return null;
  const id15 = id.slice(0, 15);
  if (id.length === 18 && to18(id15).slice(15).toUpperCase() !== id.slice(15).toUpperCase()) return null;
  return id15;
}
