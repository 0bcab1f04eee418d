import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from './clock.ts';

describe('systemClock', () => {
  it('reads the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });
});

describe('ManualClock', () => {
  it('stands still until advanced', () => {
    const clock = new ManualClock(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.now()).toBe(1_000);
    expect(clock.advance(250)).toBe(1_250);
    expect(clock.now()).toBe(1_250);
  });

  it('jumps to a set time, backwards too', () => {
    const clock = new ManualClock(5_000);
    clock.set(10_000);
    expect(clock.now()).toBe(10_000);
    clock.set(2_000);
    expect(clock.now()).toBe(2_000);
  });

  it('refuses to advance backwards or by a non-number', () => {
    const clock = new ManualClock(0);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => clock.advance(Number.NaN)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(() => new ManualClock(Number.POSITIVE_INFINITY)).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED' }));
    expect(clock.now()).toBe(0);
  });
});
