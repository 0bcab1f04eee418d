import { describe, expect, it } from 'vitest';
import { parseSfDate, sfDateTime, sfIso } from './client.ts';

/** What `sfIso` must answer: the datetime parsed into a Date and printed back in UTC. */
const slow = (value: unknown): string | null => {
  const ms = parseSfDate(value);
  return ms === null ? null : sfDateTime(ms);
};

describe('sfIso', () => {
  it('rewrites the UTC datetimes Salesforce sends to ISO 8601 with Z', () => {
    expect(sfIso('2024-01-15T10:30:00.000+0000')).toBe('2024-01-15T10:30:00.000Z');
    expect(sfIso('2024-02-29T23:59:59.999+0000')).toBe('2024-02-29T23:59:59.999Z');
  });

  it('converts other offsets and ISO forms to UTC, and answers null for what is not a datetime', () => {
    expect(sfIso('2024-01-15T10:30:00.000+0200')).toBe('2024-01-15T08:30:00.000Z');
    expect(sfIso('2024-01-15T10:30:00Z')).toBe('2024-01-15T10:30:00.000Z');
    for (const value of ['', 'yesterday', null, undefined, 42, '2024-13-01T00:00:00.000+0000']) expect(sfIso(value)).toBeNull();
  });

  it('answers what parsing and printing answers, for every day of leap and common years and the edges of a day', () => {
    const inputs: string[] = [];
    for (const year of ['1900', '2000', '2023', '2024', '2100', '0000', '9999']) {
      for (let month = 0; month <= 13; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          for (const time of ['00:00:00.000', '23:59:59.999', '24:00:00.000', '12:60:00.000', '12:00:60.000']) {
            for (const zone of ['+0000', '-0000', '+0530', 'Z']) inputs.push(`${date}T${time}${zone}`);
          }
        }
      }
    }
    const differing = inputs.filter((value) => sfIso(value) !== slow(value));
    expect(differing).toEqual([]);
    // The grid holds valid UTC stamps (the fast path) as well as invalid ones (the fallback).
    expect(inputs.filter((value) => value.endsWith('+0000') && sfIso(value) !== null).length).toBeGreaterThan(4_000);
  });
});
