import { describe, expect, it } from 'vitest';
import { metaphone, phoneticKey, soundsAlike } from './phonetic.ts';

describe('Double Metaphone', () => {
  it('gives the codes of Philips\' published examples', () => {
    expect(metaphone('Smith')).toEqual(['SM0', 'XMT']);
    expect(metaphone('Schmidt')).toEqual(['XMT', 'SMT']);
    expect(metaphone('Thompson')).toEqual(['TMPSN', 'TMPSN']);
    expect(metaphone('Jose')).toEqual(['HS', 'HS']);
    expect(metaphone('Xavier')).toEqual(['SF', 'SFR']);
    expect(metaphone('Knight')).toEqual(['NT', 'NT']);
    expect(metaphone('Caesar')).toEqual(['SSR', 'SSR']);
  });

  it('says that alternative spellings sound alike, and different names do not', () => {
    expect(soundsAlike('smith', 'schmidt')).toBe(true);
    expect(soundsAlike('philip', 'filip')).toBe(true);
    expect(soundsAlike('catherine', 'katherine')).toBe(true);
    expect(soundsAlike('smith', 'jones')).toBe(false);
    expect(soundsAlike('', '')).toBe(false);
  });

  it('keys a multi-word name as one word, so split and joined spellings meet', () => {
    expect(phoneticKey('mc donald')).toBe(phoneticKey('mcdonald'));
    expect(phoneticKey('green')).toBe(metaphone('green')[0]);
  });
});
