import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import { DEFAULT_CONFLICT_POLICY, parseConflictPolicy, ruleFor } from './policy.ts';

function codeAndField(fn: () => unknown): [string, string | undefined] {
  try {
    fn();
  } catch (err) {
    if (isTributaryError(err)) return [err.code, err.field];
    throw err;
  }
  throw new Error('expected a TributaryError');
}

describe('parseConflictPolicy', () => {
  it('gives the documented defaults for an empty stored policy', () => {
    expect(parseConflictPolicy({})).toEqual(DEFAULT_CONFLICT_POLICY);
    expect(parseConflictPolicy(null)).toMatchObject({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 5000, tieBreak: 'remote' } });
  });

  it('reads strategy, per-field rules (name or object), settings and ownership', () => {
    const p = parseConflictPolicy(
      {
        strategy: 'field_merge',
        mergeFallback: 'last_write_wins',
        lastWriteWins: { toleranceMs: 2000, tieBreak: 'local' },
        fields: { title: 'manual', phone: { strategy: 'custom', priority: ['google', 'tributary'] } },
      },
      { email: 'external', tier: 'internal' },
    );
    expect(p.strategy).toBe('field_merge');
    expect(p.mergeFallback).toEqual({ strategy: 'last_write_wins' });
    expect(p.lastWriteWins).toEqual({ toleranceMs: 2000, tieBreak: 'local' });
    expect(ruleFor(p, 'title')).toEqual({ strategy: 'manual' });
    expect(ruleFor(p, 'phone')).toEqual({ strategy: 'custom', priority: ['google', 'tributary'] });
    expect(ruleFor(p, 'lastName')).toEqual({ strategy: 'field_merge' });
    expect(p.ownership).toEqual({ email: 'external', tier: 'internal' });
    expect(Object.isFrozen(p) && Object.isFrozen(p.fields)).toBe(true);
  });

  it('gives fields without a rule the integration-level custom priority list', () => {
    const p = parseConflictPolicy({ strategy: 'custom', priority: ['salesforce', 'tributary'] });
    expect(ruleFor(p, 'email')).toEqual({ strategy: 'custom', priority: ['salesforce', 'tributary'] });
  });

  it('rejects bad values with CONFIG_INVALID naming the key', () => {
    expect(codeAndField(() => parseConflictPolicy({ strategy: 'newest' }))).toEqual(['CONFIG_INVALID', 'strategy']);
    expect(codeAndField(() => parseConflictPolicy({ strategy: 'custom' }))).toEqual(['CONFIG_INVALID', 'strategy']);
    expect(codeAndField(() => parseConflictPolicy({ fields: { phone: 'custom' } }))).toEqual(['CONFIG_INVALID', 'fields.phone']);
    expect(codeAndField(() => parseConflictPolicy({ fields: { phone: { strategy: 'custom', priority: [] } } }))).toEqual(['CONFIG_INVALID', 'fields.phone.priority']);
    expect(codeAndField(() => parseConflictPolicy({ lastWriteWins: { toleranceMs: -1 } }))).toEqual(['CONFIG_INVALID', 'lastWriteWins.toleranceMs']);
    expect(codeAndField(() => parseConflictPolicy({ lastWriteWins: { tieBreak: 'source' } }))).toEqual(['CONFIG_INVALID', 'lastWriteWins.tieBreak']);
    expect(codeAndField(() => parseConflictPolicy({ mergeFallback: 'field_merge' }))).toEqual(['CONFIG_INVALID', 'mergeFallback']);
    expect(codeAndField(() => parseConflictPolicy({}, { email: 'salesforce' }))).toEqual(['CONFIG_INVALID', 'fieldOwnership.email']);
  });
});
