import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { describe, expect, it } from 'vitest';
import { generatePeople } from './people.ts';
import { createRng } from './rng.ts';

describe('people generator', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = generatePeople(11, 500);
    const b = generatePeople(11, 500);
    const c = generatePeople(12, 500);
    expect(a.all()).toEqual(b.all());
    expect(a.variantsFor('slack', 0.7)).toEqual(b.variantsFor('slack', 0.7));
    expect(c.all().map((p) => p.familyName)).not.toEqual(a.all().map((p) => p.familyName));
  });

  it('makes plausible people: unique work emails at the company domain, valid E.164 phones, unique GitHub logins', () => {
    const people = generatePeople(3, 3000).all();
    expect(new Set(people.map((p) => p.email)).size).toBe(people.length);
    expect(new Set(people.map((p) => p.githubLogin)).size).toBe(people.length);
    for (const p of people) {
      expect(p.email.endsWith(`@${p.companyDomain}`)).toBe(true);
      if (p.phone) expect(parsePhoneNumberFromString(p.phone)?.isValid(), p.phone).toBe(true);
    }
    expect(people.filter((p) => p.nickname).length).toBeGreaterThan(300);
    expect(people.find((p) => p.givenName === 'Robert')?.nickname ?? 'Bob').toMatch(/^(Bob|Rob|Bobby)$/);
  });

  it('varies each provider copy the way real data varies, at the requested coverage', () => {
    const dir = generatePeople(5, 5000);
    const variants = dir.variantsFor('salesforce', 0.8);
    expect(variants.length / 5000).toBeGreaterThan(0.77);
    expect(variants.length / 5000).toBeLessThan(0.83);
    let nick = 0;
    let national = 0;
    let missingPhone = 0;
    let changed = 0;
    for (const v of variants) {
      const p = dir.byTruthId(v.truthId);
      if (!p) throw new Error('unknown truthId');
      if (p.nickname && v.givenName === p.nickname) nick++;
      if (v.phone && !v.phone.startsWith('+')) national++;
      if (p.phone && !v.phone) missingPhone++;
      if (v.email && v.email !== p.email) changed++;
      if (v.phone) expect(parsePhoneNumberFromString(v.phone, countryOf(p.country))?.number).toBe(p.phone);
    }
    expect(nick).toBeGreaterThan(100);
    expect(national).toBeGreaterThan(500);
    expect(missingPhone).toBeGreaterThan(300);
    expect(changed).toBeGreaterThan(100);
    const github = dir.variantsFor('github', 0.5);
    expect(github.every((v) => v.phone === null)).toBe(true);
    const shared = new Set(github.map((v) => v.truthId));
    expect(variants.filter((v) => shared.has(v.truthId)).length).toBeGreaterThan(1500);
  });

  it('generates 100,000 distinct people', () => {
    const dir = generatePeople(1, 100_000);
    expect(dir.all()).toHaveLength(100_000);
    expect(new Set(dir.all().map((p) => p.truthId)).size).toBe(100_000);
    expect(dir.variantsFor('salesforce', 0.9).length).toBeGreaterThan(85_000);
  });

  it('gives independent, repeatable rng streams per label', () => {
    const a = createRng(1, 'x');
    const seqA = [a.next(), a.next(), a.next()];
    const again = createRng(1, 'x');
    expect([again.next(), again.next(), again.next()]).toEqual(seqA);
    expect(createRng(1, 'y').next()).not.toBe(seqA[0]);
    const r = createRng(9, 'ints');
    for (let i = 0; i < 1000; i++) {
      const n = r.int(3, 7);
      expect(n >= 3 && n < 7).toBe(true);
    }
  });
});

function countryOf(name: string) {
  const map: Record<string, 'US' | 'GB' | 'DE' | 'FR' | 'CA' | 'AU' | 'NL' | 'ES'> = {
    'United States': 'US', 'United Kingdom': 'GB', Germany: 'DE', France: 'FR', Canada: 'CA', Australia: 'AU', Netherlands: 'NL', Spain: 'ES',
  };
  return map[name];
}
