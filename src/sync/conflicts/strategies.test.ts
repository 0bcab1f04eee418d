import { describe, expect, it } from 'vitest';
import { isTributaryError } from '../../domain/errors.ts';
import { parseConflictPolicy } from './policy.ts';
import { ResolverRegistry } from './registry.ts';
import { resolve, type ResolveInput } from './resolve.ts';

const BASE = {
  firstName: 'Grace',
  lastName: 'Hopper',
  email: 'grace@navy.example',
  title: 'Rear Admiral',
  phone: '+12025550100',
  mailingAddress: { street: '1 Navy Way', city: 'Arlington', postalCode: '22202', country: 'US' },
  interests: ['cobol', 'compilers'],
};
/** Host product changed title and phone; Salesforce changed title and phone too, differently. */
const LOCAL = { ...BASE, title: 'Commodore', phone: '+12025550111' };
const REMOTE = { ...BASE, title: 'Rear Admiral (lower half)', phone: '+12025550199' };
const T = Date.parse('2026-11-20T10:00:00Z');

function run(conflictStrategy: Record<string, unknown>, over: Partial<ResolveInput> = {}): ReturnType<typeof resolve> {
  return resolve({
    base: BASE,
    local: LOCAL,
    remote: REMOTE,
    policy: parseConflictPolicy(conflictStrategy),
    remoteSystem: 'salesforce',
    ...over,
  });
}

describe('source_wins and target_wins', () => {
  it('source_wins takes the provider value for every conflicting field', () => {
    const out = run({ strategy: 'source_wins' });
    expect(out.toLocal).toEqual({ title: 'Rear Admiral (lower half)', phone: '+12025550199' });
    expect(out.toRemote).toEqual({});
    expect(out.conflicts.map((c) => c.decision)).toEqual(['remote', 'remote']);
  });

  it('target_wins keeps Tributary\'s value and pushes it', () => {
    const out = run({ strategy: 'target_wins' });
    expect(out.toLocal).toEqual({});
    expect(out.toRemote).toEqual({ title: 'Commodore', phone: '+12025550111' });
    expect(out.conflicts.every((c) => c.strategy === 'target_wins' && c.decision === 'local')).toBe(true);
  });

  it('a per-field override beats the integration strategy', () => {
    const out = run({ strategy: 'source_wins', fields: { phone: 'target_wins' } });
    expect(out.toLocal).toEqual({ title: 'Rear Admiral (lower half)' });
    expect(out.toRemote).toEqual({ phone: '+12025550111' });
  });
});

describe('last_write_wins', () => {
  const lww = (toleranceMs: number, tieBreak?: string): Record<string, unknown> => ({
    strategy: 'last_write_wins',
    lastWriteWins: { toleranceMs, ...(tieBreak === undefined ? {} : { tieBreak }) },
  });

  it('the newer side wins when the gap exceeds the tolerance', () => {
    const local = run(lww(5000), { localModifiedAt: T + 60_000, remoteModifiedAt: T });
    expect(local.conflicts.map((c) => c.decision)).toEqual(['local', 'local']);
    expect(local.conflicts[0]?.reason).toBe('the local edit is newer by 60000 ms');
    const remote = run(lww(5000), { localModifiedAt: T, remoteModifiedAt: T + 5001 });
    expect(remote.conflicts.map((c) => c.decision)).toEqual(['remote', 'remote']);
  });

  it('edits within the clock-skew tolerance are a tie, broken by the provider by default', () => {
    const out = run(lww(5000), { localModifiedAt: T + 5000, remoteModifiedAt: T });
    expect(out.conflicts.map((c) => c.decision)).toEqual(['remote', 'remote']);
    expect(out.conflicts[0]?.reason).toContain('within the 5000 ms clock-skew tolerance');
  });

  it('an exact tie is broken by the configured side, deterministically', () => {
    for (let i = 0; i < 3; i++) {
      const out = run(lww(0, 'local'), { localModifiedAt: T, remoteModifiedAt: T });
      expect(out.conflicts.map((c) => c.decision)).toEqual(['local', 'local']);
    }
    expect(run(lww(0, 'remote'), { localModifiedAt: T, remoteModifiedAt: T }).conflicts[0]?.decision).toBe('remote');
  });

  it('an unknown modification time falls to the tie-break', () => {
    const out = run(lww(1000, 'local'), { remoteModifiedAt: T });
    expect(out.conflicts[0]).toMatchObject({ decision: 'local', reason: 'a modification time is unknown; tie-break: local wins' });
  });

  it('per-field modification times beat the record times', () => {
    const out = run(lww(1000), {
      localModifiedAt: T + 60_000,
      remoteModifiedAt: T,
      fieldModifiedAt: { remote: { phone: T + 120_000 } },
    });
    expect(out.toLocal).toEqual({ phone: '+12025550199' });
    expect(out.toRemote).toEqual({ title: 'Commodore' });
  });
});

describe('field_merge', () => {
  it('merges one-sided changes from both sides and nested changes inside one field', () => {
    const out = resolve({
      base: BASE,
      local: { ...BASE, mailingAddress: { ...BASE.mailingAddress, street: '2 Navy Way' }, interests: ['cobol', 'compilers', 'nanoseconds'], lastName: 'Murray Hopper' },
      remote: { ...BASE, mailingAddress: { ...BASE.mailingAddress, postalCode: '22203' }, interests: ['compilers', 'flow-matic'], email: 'grace@hopper.example' },
      policy: parseConflictPolicy({ strategy: 'field_merge' }),
      remoteSystem: 'salesforce',
    });
    const address = { street: '2 Navy Way', city: 'Arlington', postalCode: '22203', country: 'US' };
    const interests = ['compilers', 'nanoseconds', 'flow-matic'];
    expect(out.merged).toMatchObject({ lastName: 'Murray Hopper', email: 'grace@hopper.example', mailingAddress: address, interests });
    expect(out.toLocal).toEqual({ email: 'grace@hopper.example', mailingAddress: address, interests });
    expect(out.toRemote).toEqual({ lastName: 'Murray Hopper', mailingAddress: address, interests });
    expect(out.conflicts.map((c) => [c.field, c.decision, c.strategy])).toEqual([
      ['mailingAddress', 'value', 'field_merge'],
      ['interests', 'value', 'field_merge'],
    ]);
  });

  it('decides scalars changed on both sides by their per-field rule, else the fallback rule', () => {
    const out = run({ strategy: 'field_merge', mergeFallback: 'target_wins', fields: { phone: 'source_wins' } });
    expect(out.toLocal).toEqual({ phone: '+12025550199' });
    expect(out.toRemote).toEqual({ title: 'Commodore' });
    const title = out.conflicts.find((c) => c.field === 'title');
    expect(title).toMatchObject({ strategy: 'field_merge', decision: 'local' });
    expect(title?.reason).toContain('fallback rule target_wins');
  });

  it('falls back when the same nested key changed differently on both sides', () => {
    const out = resolve({
      base: BASE,
      local: { ...BASE, mailingAddress: { ...BASE.mailingAddress, city: 'Washington' } },
      remote: { ...BASE, mailingAddress: { ...BASE.mailingAddress, city: 'New York' } },
      policy: parseConflictPolicy({ strategy: 'field_merge' }),
      remoteSystem: 'salesforce',
    });
    expect(out.conflicts[0]).toMatchObject({ field: 'mailingAddress', decision: 'remote' });
    expect(out.toLocal).toEqual({ mailingAddress: { ...BASE.mailingAddress, city: 'New York' } });
  });
});

describe('manual', () => {
  it('holds conflicting fields as pending, applies the clean changes, and keeps the old base for them', () => {
    const out = resolve({
      base: BASE,
      local: { ...LOCAL, lastName: 'Murray Hopper' },
      remote: { ...REMOTE, email: 'grace@hopper.example' },
      policy: parseConflictPolicy({ strategy: 'manual' }),
      remoteSystem: 'salesforce',
    });
    expect(out.pending).toBe(true);
    expect(out.counts).toEqual({ detected: 2, resolved: 0, pending: 2 });
    expect(out.conflicts.every((c) => c.decision === 'pending' && c.value === undefined)).toBe(true);
    expect(out.toLocal).toEqual({ email: 'grace@hopper.example' });
    expect(out.toRemote).toEqual({ lastName: 'Murray Hopper' });
    expect(out.merged).toMatchObject({ title: 'Commodore', phone: '+12025550111' });
    expect(out.nextBase).toMatchObject({ title: 'Rear Admiral', phone: '+12025550100', email: 'grace@hopper.example', lastName: 'Murray Hopper' });
  });

  it('can be chosen for one field only', () => {
    const out = run({ strategy: 'source_wins', fields: { title: 'manual' } });
    expect(out.counts).toEqual({ detected: 2, resolved: 1, pending: 1 });
    expect(out.toLocal).toEqual({ phone: '+12025550199' });
  });
});

describe('custom', () => {
  it('an ordered priority list picks the system ranked higher', () => {
    const out = run({ strategy: 'custom', priority: ['salesforce', 'google', 'tributary'] });
    expect(out.conflicts.map((c) => c.decision)).toEqual(['remote', 'remote']);
    expect(out.conflicts[0]?.reason).toBe('salesforce ranks higher in [salesforce, google, tributary]');
  });

  it('uses per-field provenance of the local value: Google outranks Salesforce for phones', () => {
    const out = run(
      { strategy: 'source_wins', fields: { phone: { strategy: 'custom', priority: ['google', 'salesforce', 'tributary'] } } },
      { localSystems: { phone: 'google' } },
    );
    expect(out.toRemote).toEqual({ phone: '+12025550111' });
    expect(out.toLocal).toEqual({ title: 'Rear Admiral (lower half)' });
  });

  it('breaks ties when neither system is listed, and lets a provider\'s newer value replace its own older one', () => {
    const tie = run({ strategy: 'custom', priority: ['notion'], customTieBreak: 'local' });
    expect(tie.conflicts.map((c) => c.decision)).toEqual(['local', 'local']);
    const same = run({ strategy: 'custom', priority: ['notion'], customTieBreak: 'local' }, { localSystem: 'salesforce' });
    expect(same.conflicts.map((c) => c.decision)).toEqual(['remote', 'remote']);
  });

  it('runs a resolver registered in code by name', () => {
    const resolvers = new ResolverRegistry()
      .register('longer-title', ({ local, remote }) => ({ side: String(local).length >= String(remote).length ? 'local' : 'remote' }))
      .register('join-phones', ({ local, remote }) => ({ value: `${String(local)};${String(remote)}` }));
    const out = run(
      { strategy: 'custom', fields: { title: { strategy: 'custom', resolver: 'longer-title' }, phone: { strategy: 'custom', resolver: 'join-phones' } } },
      { resolvers },
    );
    expect(out.toLocal).toEqual({ title: 'Rear Admiral (lower half)', phone: '+12025550111;+12025550199' });
    expect(out.toRemote).toEqual({ phone: '+12025550111;+12025550199' });
    expect(out.conflicts.map((c) => c.decision)).toEqual(['remote', 'value']);
  });

  it('a resolver may hold a field for review', () => {
    const resolvers = new ResolverRegistry().register('ask', () => 'pending');
    const out = run({ strategy: 'custom', resolver: 'ask' }, { resolvers });
    expect(out.pending).toBe(true);
    expect(out.conflicts.map((c) => c.decision)).toEqual(['pending', 'pending']);
  });

  it('an unregistered resolver is a configuration error naming it', () => {
    try {
      run({ strategy: 'custom', resolver: 'missing' }, { resolvers: new ResolverRegistry() });
      expect.unreachable();
    } catch (err) {
      expect(isTributaryError(err) && err.code).toBe('CONFIG_INVALID');
      expect((err as Error).message).toContain('"missing"');
    }
  });
});
