import { parsePhoneNumberFromString } from 'libphonenumber-js';
import minMetadata from 'libphonenumber-js/min/metadata';
import type { CountryCode } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { isPossibleE164, toE164 } from './contact.ts';

/** What libphonenumber's default entry (min metadata, every country of a calling code) answers. */
function reference(raw: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(raw, region as CountryCode);
  return parsed && parsed.isPossible() ? parsed.number : null;
}

/** A repeatable stream of pseudo-random digits: each call answers the next `n`. */
function digitStream(seed: number): (n: number) => string {
  let state = seed;
  return (n) => {
    let s = '';
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      s += String(state % 10);
    }
    return s;
  };
}

describe('toE164 on calling codes shared by several countries', () => {
  it('keeps the length rules of the country a number belongs to', () => {
    // A Canadian 7-digit local number after the national prefix: possible in CA, not in US.
    expect(toE164('12731354', 'CA')).toBe('+12731354');
    expect(toE164('12731354', 'US')).toBe(reference('12731354', 'US'));
    // Antigua's national prefix rule turns a 7-digit local number into a 10-digit one.
    expect(toE164('4601234', 'AG')).toBe(reference('4601234', 'AG'));
    expect(toE164('+44 1534 456789', 'US')).toBe('+441534456789');
    expect(toE164('(415) 555-2671', 'US')).toBe('+14155552671');
  });

  it('answers what the full metadata answers across formats, lengths and regions', () => {
    const digits = digitStream(11);
    const inputs: string[] = [];
    for (const code of ['1', '7', '44', '61', '262', '590', '599']) {
      for (let length = 4; length <= 13; length++) {
        for (const lead of ['', '0', '1', '2', '4', '7']) {
          const n = lead + digits(length);
          inputs.push(`+${code}${n}`, `+${code} ${n.slice(0, 3)} ${n.slice(3)}`, n, `(${n.slice(0, 3)}) ${n.slice(3)}`, `011${code}${n}`);
        }
      }
    }
    const mismatches: string[] = [];
    for (const region of ['US', 'CA', 'AG', 'PR', 'GB', 'JE', 'AU', 'CX', 'RU', 'KZ', 'RE', 'GP', 'CW'])
      for (const raw of inputs) if (toE164(raw, region) !== reference(raw, region)) mismatches.push(`${region} ${raw}`);
    expect(mismatches).toEqual([]);
  });

  it('answers what the full metadata answers for numbers already written as + and digits, for every calling code', () => {
    const metadata = minMetadata as unknown as { country_calling_codes: Record<string, string[]>; nonGeographic: Record<string, unknown> };
    const digits = digitStream(7);
    const inputs: string[] = [];
    for (const code of [...Object.keys(metadata.country_calling_codes), ...Object.keys(metadata.nonGeographic)]) {
      for (let length = 1; length <= 18; length++) {
        for (const lead of ['', '0', '1', '5', '8', '9']) inputs.push(`+${code}${(lead + digits(length)).slice(0, length)}`);
      }
    }
    const mismatches: string[] = [];
    let unparsed = 0;
    let total = 0;
    for (const region of ['US', 'CA', 'GB', 'DE', 'RU', 'AU'])
      for (const raw of inputs) {
        const expected = reference(raw, region);
        if (toE164(raw, region) !== expected) mismatches.push(`${region} ${raw}`);
        // What the shortcut keeps without a parse is exactly what libphonenumber keeps.
        if (isPossibleE164(raw, region)) {
          unparsed += 1;
          if (expected !== raw) mismatches.push(`kept without a parse: ${region} ${raw}`);
        }
        total += 1;
      }
    expect(mismatches).toEqual([]);
    // The shortcut answers a good share of the corpus, and leaves the rest to the parse.
    expect(unparsed).toBeGreaterThan(total / 20);
    expect(unparsed).toBeLessThan(total / 2);
  });
});
