import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import type { ConflictRecord } from '../../domain/conflict.ts';
import { resolvePending } from './manual.ts';
import { parseConflictPolicy } from './policy.ts';
import { resolve } from './resolve.ts';

const BASE = { firstName: 'Katherine', lastName: 'Johnson', title: 'Mathematician', email: 'kj@nasa.example' };

function pendingTitle(): { conflict: ConflictRecord; nextBase: Record<string, unknown> } {
  const out = resolve({
    base: BASE,
    local: { ...BASE, title: 'Research Mathematician' },
    remote: { ...BASE, title: 'Aerospace Technologist' },
    policy: parseConflictPolicy({ strategy: 'manual' }),
    remoteSystem: 'salesforce',
  });
  const conflict = out.conflicts[0];
  if (conflict === undefined) throw new Error('expected a conflict');
  return { conflict, nextBase: out.nextBase };
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isTributaryError(err)) return err.code;
    throw err;
  }
  return 'none';
}

describe('resolvePending', () => {
  it('choosing the provider side writes it to Tributary only', () => {
    const { conflict } = pendingTitle();
    const done = resolvePending({ conflict, choice: { side: 'remote' }, by: 'ops@tenant.example' });
    expect(done.toLocal).toEqual({ title: 'Aerospace Technologist' });
    expect(done.toRemote).toEqual({});
    expect(done.base).toBe('Aerospace Technologist');
    expect(done.record).toMatchObject({ decision: 'remote', value: 'Aerospace Technologist', strategy: 'manual', reason: 'ops@tenant.example chose remote', local: 'Research Mathematician' });
  });

  it('choosing the local side pushes it to the provider only', () => {
    const done = resolvePending({ conflict: pendingTitle().conflict, choice: { side: 'local' } });
    expect(done.toLocal).toEqual({});
    expect(done.toRemote).toEqual({ title: 'Research Mathematician' });
  });

  it('an explicit value goes to both sides, and the sync then completes with nothing left', () => {
    const { conflict, nextBase } = pendingTitle();
    const done = resolvePending({ conflict, choice: { value: 'Senior Mathematician' } });
    expect(done.record.decision).toBe('value');
    expect(done.toLocal).toEqual({ title: 'Senior Mathematician' });
    expect(done.toRemote).toEqual({ title: 'Senior Mathematician' });
    // The caller writes both patches and records the base; the next sync finds nothing.
    const next = resolve({
      base: { ...nextBase, title: done.base },
      local: { ...BASE, title: 'Senior Mathematician' },
      remote: { ...BASE, title: 'Senior Mathematician' },
      policy: parseConflictPolicy({ strategy: 'manual' }),
      remoteSystem: 'salesforce',
    });
    expect(next.conflicts).toEqual([]);
    expect(next.toLocal).toEqual({});
    expect(next.toRemote).toEqual({});
  });

  it('a pending conflict left alone is detected again with the same values, not lost', () => {
    const { conflict, nextBase } = pendingTitle();
    const again = resolve({
      base: nextBase,
      local: { ...BASE, title: 'Research Mathematician' },
      remote: { ...BASE, title: 'Aerospace Technologist' },
      policy: parseConflictPolicy({ strategy: 'manual' }),
      remoteSystem: 'salesforce',
    });
    expect(again.conflicts).toEqual([conflict]);
  });

  it('refuses a decision made on values that changed since, and an already decided conflict', () => {
    const { conflict } = pendingTitle();
    expect(errorCode(() => resolvePending({ conflict, choice: { side: 'local' }, current: { local: 'Research Mathematician', remote: 'Director' } }))).toBe('CONFLICT');
    expect(errorCode(() => resolvePending({ conflict, choice: { side: 'local' }, current: { local: 'Research Mathematician', remote: 'Aerospace Technologist' } }))).toBe('none');
    const decided = resolvePending({ conflict, choice: { side: 'local' } }).record;
    expect(errorCode(() => resolvePending({ conflict: decided, choice: { side: 'remote' } }))).toBe('CONFLICT');
  });

  it('rejects a choice that is neither a side nor a value', () => {
    const { conflict } = pendingTitle();
    expect(errorCode(() => resolvePending({ conflict, choice: { side: 'both' } as never }))).toBe('VALIDATION_FAILED');
    expect(errorCode(() => resolvePending({ conflict, choice: {} as never }))).toBe('VALIDATION_FAILED');
  });
});
