import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { parseConflictPolicy } from './policy.ts';
import { resolve, type ResolveInput } from './resolve.ts';
import { deepEqual, type FieldEquals } from './values.ts';

/** The agreed state after the last sync: a Salesforce Contact mapped to a host-product person. */
const BASE = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@analytical.example',
  phone: '+442079460000',
  title: 'Engineer',
  mailingAddress: { street: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  interests: ['math', 'engines'],
};

function input(over: Partial<ResolveInput> & { local?: Record<string, unknown>; remote?: Record<string, unknown> }): ResolveInput {
  return {
    base: BASE,
    local: { ...BASE },
    remote: { ...BASE },
    policy: parseConflictPolicy({ strategy: 'source_wins' }),
    remoteSystem: 'salesforce',
    ...over,
  };
}

const phoneEquals: FieldEquals = (field, a, b) => {
  if (field !== 'phone' || typeof a !== 'string' || typeof b !== 'string') return false;
  const pa = parsePhoneNumberFromString(a, 'GB');
  const pb = parsePhoneNumberFromString(b, 'GB');
  return pa !== undefined && pb !== undefined && pa.number === pb.number;
};

describe('three-way detection', () => {
  it('writes nothing when neither side changed', () => {
    const out = resolve(input({}));
    expect(out.toLocal).toEqual({});
    expect(out.toRemote).toEqual({});
    expect(out.conflicts).toEqual([]);
    expect(out.merged).toEqual(BASE);
    expect(out.nextBase).toEqual(BASE);
  });

  it('copies a change made on one side only to the other side, without a conflict', () => {
    const out = resolve(input({
      local: { ...BASE, title: 'Chief Engineer' },
      remote: { ...BASE, email: 'ada@lovelace.example' },
    }));
    expect(out.conflicts).toEqual([]);
    expect(out.toLocal).toEqual({ email: 'ada@lovelace.example' });
    expect(out.toRemote).toEqual({ title: 'Chief Engineer' });
    expect(out.merged).toMatchObject({ title: 'Chief Engineer', email: 'ada@lovelace.example' });
    expect(out.nextBase).toEqual(out.merged);
    expect(out.remoteAfter).toEqual(out.merged);
  });

  it('does not count both sides making the same change as a conflict', () => {
    const out = resolve(input({ local: { ...BASE, title: 'CTO' }, remote: { ...BASE, title: 'CTO' } }));
    expect(out.conflicts).toEqual([]);
    expect(out.toLocal).toEqual({});
    expect(out.toRemote).toEqual({});
  });

  it('compares objects and arrays deeply, and treats null like an absent field', () => {
    const out = resolve(input({
      local: { ...BASE, mailingAddress: { country: 'GB', postalCode: 'SW1Y 4JH', city: 'London', street: '12 St James Sq', county: null } },
      remote: { ...BASE, interests: ['math', 'engines'], title: 'Engineer' },
    }));
    expect(out.conflicts).toEqual([]);
    expect(out.toLocal).toEqual({});
    expect(out.toRemote).toEqual({});
  });

  it('uses the normalised comparison hook: a national-format phone equal to E.164 is no change', () => {
    const noHook = resolve(input({ local: { ...BASE, phone: '+44 20 7946 0001' }, remote: { ...BASE, phone: '020 7946 0000' } }));
    expect(noHook.conflicts.map((c) => c.field)).toEqual(['phone']);
    const hooked = resolve(input({ local: { ...BASE, phone: '+44 20 7946 0001' }, remote: { ...BASE, phone: '020 7946 0000' }, equals: phoneEquals }));
    expect(hooked.conflicts).toEqual([]);
    expect(hooked.toRemote).toEqual({ phone: '+44 20 7946 0001' });
  });

  it('records a conflict with base, both values and the decision', () => {
    const out = resolve(input({ local: { ...BASE, title: 'CTO' }, remote: { ...BASE, title: 'VP Engineering' } }));
    expect(out.conflicts).toEqual([{
      field: 'title', base: 'Engineer', local: 'CTO', remote: 'VP Engineering',
      decision: 'remote', value: 'VP Engineering', strategy: 'source_wins', reason: 'the provider (salesforce) wins',
    }]);
    expect(out.counts).toEqual({ detected: 1, resolved: 1, pending: 0 });
    expect(out.toLocal).toEqual({ title: 'VP Engineering' });
    expect(out.toRemote).toEqual({});
  });

  it('clears a field on the other side with null when one side removed it', () => {
    const { title: _removed, ...withoutTitle } = BASE;
    const out = resolve(input({ remote: withoutTitle }));
    expect(out.toLocal).toEqual({ title: null });
    expect(out.merged).not.toHaveProperty('title');
    expect(out.nextBase).not.toHaveProperty('title');
  });

  it('on the first sync (no base) records no conflict: the provider wins where it has a value, Tributary fills the rest', () => {
    const out = resolve(input({
      base: null,
      local: { firstName: 'Ada', lastName: 'King', title: 'Countess' },
      remote: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical.example', title: null },
      fields: ['firstName', 'lastName', 'email', 'title'],
    }));
    expect(out.conflicts).toEqual([]);
    expect(out.toLocal).toEqual({ lastName: 'Lovelace', email: 'ada@analytical.example' });
    expect(out.toRemote).toEqual({ title: 'Countess' });
    expect(out.nextBase).toEqual({ firstName: 'Ada', lastName: 'Lovelace', email: 'ada@analytical.example', title: 'Countess' });
  });

  it('only considers the synced fields: local fields written by other sources are not pushed', () => {
    const out = resolve(input({ local: { ...BASE, slackHandle: '@ada' } }));
    expect(out.toRemote).toEqual({});
    expect(out.merged).not.toHaveProperty('slackHandle');
  });

  it('trusts the provider version: an unchanged etag means no remote edit, so no conflict', () => {
    const remote = { ...BASE, title: 'Engineer II' };
    const changed = resolve(input({ local: { ...BASE, title: 'CTO' }, remote, remoteVersion: '"etag-8"', baseVersion: '"etag-7"' }));
    expect(changed.conflicts.map((c) => c.field)).toEqual(['title']);
    const same = resolve(input({ local: { ...BASE, title: 'CTO' }, remote, remoteVersion: '"etag-7"', baseVersion: '"etag-7"' }));
    expect(same.conflicts).toEqual([]);
    expect(same.toRemote).toEqual({ title: 'CTO' });
  });

  it('writes nothing to the provider for a pull-only integration and keeps the provider value as base', () => {
    const out = resolve(input({ direction: 'pull', local: { ...BASE, title: 'CTO' }, remote: { ...BASE, email: 'new@x.example' } }));
    expect(out.toRemote).toEqual({});
    expect(out.toLocal).toEqual({ email: 'new@x.example' });
    expect(out.nextBase.title).toBe('Engineer');
    // Next pull: the unchanged provider value is not mistaken for a remote edit.
    const again = resolve(input({ direction: 'pull', base: out.nextBase, local: { ...BASE, title: 'CTO', email: 'new@x.example' }, remote: { ...BASE, email: 'new@x.example' } }));
    expect(again.toLocal).toEqual({});
  });

  it('writes nothing to Tributary for a push-only integration', () => {
    const out = resolve(input({ direction: 'push', remote: { ...BASE, title: 'CTO' } }));
    expect(out.toLocal).toEqual({});
    expect(out.nextBase.title).toBe('Engineer');
  });
});

describe('field ownership', () => {
  const policy = parseConflictPolicy({ strategy: 'source_wins' }, { email: 'internal', title: 'external' });

  it('beats the strategy: an internally owned field keeps the local value in a conflict', () => {
    const out = resolve(input({ policy, local: { ...BASE, email: 'ada@host.example' }, remote: { ...BASE, email: 'ada@sf.example' } }));
    expect(out.conflicts).toEqual([expect.objectContaining({ field: 'email', decision: 'local', strategy: 'ownership' })]);
    expect(out.toLocal).toEqual({});
    expect(out.toRemote).toEqual({ email: 'ada@host.example' });
  });

  it('beats a per-field override too', () => {
    const p = parseConflictPolicy({ strategy: 'source_wins', fields: { title: 'target_wins' } }, { title: 'external' });
    const out = resolve(input({ policy: p, local: { ...BASE, title: 'CTO' }, remote: { ...BASE, title: 'VP' } }));
    expect(out.conflicts[0]).toMatchObject({ decision: 'remote', strategy: 'ownership' });
    expect(out.toLocal).toEqual({ title: 'VP' });
  });

  it('never lets the other side overwrite an owned field, even a one-sided change, and says so', () => {
    const out = resolve(input({ policy, local: { ...BASE, title: 'CTO' }, remote: { ...BASE, email: 'ada@sf.example' } }));
    expect(out.conflicts).toEqual([]);
    // Each owner's value is restored on the side that changed it.
    expect(out.toLocal).toEqual({ title: 'Engineer' });
    expect(out.toRemote).toEqual({ email: 'ada@analytical.example' });
    expect(out.merged).toMatchObject({ email: 'ada@analytical.example', title: 'Engineer' });
    expect(out.ignored.map((i) => [i.field, i.side])).toEqual([['email', 'remote'], ['title', 'local']]);
  });

  it('lets the owner change its own field freely', () => {
    const out = resolve(input({ policy, remote: { ...BASE, title: 'VP' } }));
    expect(out.toLocal).toEqual({ title: 'VP' });
    expect(out.ignored).toEqual([]);
  });
});

describe('resolve, property-style over generated records', () => {
  let seed = 99;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const pickOne = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const FIELDS = ['firstName', 'email', 'title', 'address', 'tags'];
  const valueFor = (field: string): unknown => {
    if (field === 'address') return rand() < 0.2 ? null : { city: pickOne(['Paris', 'Oslo']), zip: pickOne(['1', '2']) };
    if (field === 'tags') return rand() < 0.2 ? null : [pickOne(['a', 'b']), pickOne(['c', 'd'])];
    return rand() < 0.2 ? null : pickOne(['x', 'y', 'z']);
  };
  const record = (): Record<string, unknown> => Object.fromEntries(FIELDS.map((f) => [f, valueFor(f)]));
  const edit = (from: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(FIELDS.map((f) => [f, rand() < 0.4 ? valueFor(f) : from[f]]));
  const apply = (target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> => ({ ...target, ...patch });

  it('applying the patches gives every side the merged values, and resolving again writes nothing', () => {
    const strategies = ['source_wins', 'target_wins', 'last_write_wins', 'field_merge'];
    for (let i = 0; i < 400; i++) {
      const base = rand() < 0.1 ? null : record();
      const local = edit(base ?? record());
      const remote = edit(base ?? record());
      const ownership = rand() < 0.3 ? { [pickOne(FIELDS)]: pickOne(['internal', 'external']) } : {};
      const policy = parseConflictPolicy({ strategy: pickOne(strategies), lastWriteWins: { toleranceMs: 1000 } }, ownership);
      const times = { localModifiedAt: Math.floor(rand() * 5000), remoteModifiedAt: Math.floor(rand() * 5000) };
      const out = resolve({ base, local, remote, policy, fields: FIELDS, remoteSystem: 'salesforce', ...times });
      const local2 = apply(local, out.toLocal);
      const remote2 = apply(remote, out.toRemote);
      for (const f of FIELDS) {
        expect(deepEqual(local2[f], out.merged[f])).toBe(true);
        expect(deepEqual(remote2[f], out.merged[f])).toBe(true);
        expect(deepEqual(out.remoteAfter[f], out.merged[f])).toBe(true);
      }
      expect(out.nextBase).toEqual(out.merged);
      for (const [f, owner] of Object.entries(ownership)) {
        expect(deepEqual(out.merged[f], owner === 'internal' ? local[f] : remote[f])).toBe(true);
      }
      const again = resolve({ base: out.nextBase, local: local2, remote: remote2, policy, fields: FIELDS, remoteSystem: 'salesforce', ...times });
      expect([again.toLocal, again.toRemote, again.conflicts]).toEqual([{}, {}, []]);
    }
  });
});
