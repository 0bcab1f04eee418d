import { describe, expect, it } from 'vitest';
import { formatInstant, parseTime } from './dates.ts';
import { TRANSFORMS } from './registry.ts';

const datetime = TRANSFORMS.get('datetime')!.make([]);
const toUtc = (v: string): unknown => datetime(v, { defaultRegion: 'US', timeZone: 'UTC' });
/** The general path: parse to an instant, format it in UTC. */
function general(v: string): string {
  const t = parseTime(v, 'UTC');
  if (t.kind !== 'instant') throw new Error('a date');
  return formatInstant(t.epochMs, 'UTC');
}

describe('datetime on provider timestamps already in UTC', () => {
  it('gives the general answer, including for days and times out of range', () => {
    const inputs = [
      '2024-01-15T10:30:00.000+0000', '2024-01-15T10:30:00.000Z', '2024-01-15T10:30:00.000-00:00', '2024-02-29T23:59:59.999+0000',
      '2023-02-29T10:00:00.000+0000', '2100-02-29T10:00:00.000Z', '2000-02-29T10:00:00.000Z', '2024-04-31T10:00:00.000Z',
      '2024-13-01T10:00:00.000Z', '2024-00-10T10:00:00.000Z', '2024-01-00T10:00:00.000Z', '2024-01-15T24:00:00.000Z',
      '2024-01-15T10:60:00.000Z', '2024-01-15T10:30:60.000Z', '0999-01-15T10:30:00.000Z', '2024-01-15T10:30:00.000+0100',
    ];
    for (const input of inputs) {
      let expected: unknown;
      try {
        expected = general(input);
      } catch {
        expected = 'fails';
      }
      let actual: unknown;
      try {
        actual = toUtc(input);
      } catch {
        actual = 'fails';
      }
      expect([input, actual]).toEqual([input, expected]);
    }
  });
});
