/**
 * A small simulation of one entity linked to two providers (Salesforce and Google), run
 * through the same calls the sync engine makes: pull (with echo recognition) and push,
 * over several cycles. Checks that a change reaches every system exactly once and that
 * the system then reaches a fixed point with no further writes.
 */
import { describe, expect, it } from 'vitest';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { ConflictPolicy } from '../../domain/conflict.ts';
import { classifyRemote, pushedHash } from './echo.ts';
import { parseConflictPolicy } from './policy.ts';
import { resolve } from './resolve.ts';
import { deepEqual, type FieldEquals } from './values.ts';

interface Provider {
  readonly name: string;
  fields: Record<string, unknown>;
  version: number;
  modifiedAt: number;
  writes: number;
  /** Reformat values the way the real API stores them (Google formats phones). */
  readonly normalise: (fields: Record<string, unknown>) => Record<string, unknown>;
}

interface Link {
  base: Record<string, unknown> | null;
  pushedHash: string | null;
  remoteVersion: string | null;
  policy: ConflictPolicy;
}

interface World {
  entity: { fields: Record<string, unknown>; modifiedAt: number; writes: number; writtenBy: Record<string, string> };
  providers: Provider[];
  links: Map<string, Link>;
  now: number;
  echoes: number;
}

const FIELDS = ['firstName', 'lastName', 'email', 'phone', 'title'];

const phoneEquals: FieldEquals = (field, a, b) => {
  if (field !== 'phone' || typeof a !== 'string' || typeof b !== 'string') return false;
  return parsePhoneNumberFromString(a, 'US')?.number === parsePhoneNumberFromString(b, 'US')?.number;
};

function googleFormat(fields: Record<string, unknown>): Record<string, unknown> {
  const phone = typeof fields.phone === 'string' ? parsePhoneNumberFromString(fields.phone, 'US') : undefined;
  return phone === undefined ? fields : { ...fields, phone: phone.formatInternational() };
}

function newWorld(policies: { salesforce: Record<string, unknown>; google: Record<string, unknown> }): World {
  const person = { firstName: 'Mary', lastName: 'Jackson', email: 'mary@langley.example', phone: '+17575550100', title: 'Engineer' };
  const providers: Provider[] = [
    { name: 'salesforce', fields: { ...person }, version: 1, modifiedAt: 0, writes: 0, normalise: (f) => f },
    { name: 'google', fields: googleFormat(person), version: 1, modifiedAt: 0, writes: 0, normalise: googleFormat },
  ];
  const links = new Map<string, Link>();
  links.set('salesforce', { base: { ...person }, pushedHash: null, remoteVersion: '1', policy: parseConflictPolicy(policies.salesforce) });
  links.set('google', { base: googleFormat(person), pushedHash: null, remoteVersion: '1', policy: parseConflictPolicy(policies.google) });
  return { entity: { fields: { ...person }, modifiedAt: 0, writes: 0, writtenBy: {} }, providers, links, now: 1_000_000, echoes: 0 };
}

function providerWrite(world: World, p: Provider, patch: Record<string, unknown>): void {
  world.now += 1000;
  p.fields = p.normalise({ ...p.fields, ...patch });
  p.version += 1;
  p.modifiedAt = world.now;
  p.writes += 1;
}

/** A person edits a record directly in the provider's UI. */
function editInProvider(world: World, name: string, patch: Record<string, unknown>): void {
  const p = world.providers.find((x) => x.name === name);
  if (p === undefined) throw new Error(name);
  providerWrite(world, p, patch);
  p.writes -= 1; // a person's edit, not ours
}

/**
 * One sync of one link, as the engine does it. `pull`: the webhook/scheduled pull, which
 * skips an echo or an already seen version. `push`: the outbox path, which always resolves.
 */
function syncLink(world: World, p: Provider, mode: 'pull' | 'push', omitVersionOnWrite: boolean): void {
  const link = world.links.get(p.name);
  if (link === undefined) throw new Error(p.name);
  if (mode === 'pull') {
    const state = classifyRemote(link, p.fields, String(p.version), FIELDS);
    if (state === 'echo') world.echoes += 1;
    // An echo or a seen version is not a remote change: note the version, write nothing.
    if (state !== 'changed') {
      link.remoteVersion = String(p.version);
      return;
    }
  }
  const out = resolve({
    base: link.base,
    local: world.entity.fields,
    remote: p.fields,
    policy: link.policy,
    fields: FIELDS,
    remoteSystem: p.name,
    localSystems: world.entity.writtenBy,
    localModifiedAt: world.entity.modifiedAt,
    remoteModifiedAt: p.modifiedAt,
    equals: phoneEquals,
  });
  if (Object.keys(out.toLocal).length > 0) {
    world.now += 1000;
    world.entity.fields = { ...world.entity.fields, ...out.toLocal };
    for (const f of Object.keys(out.toLocal)) world.entity.writtenBy[f] = p.name;
    world.entity.modifiedAt = world.now;
    world.entity.writes += 1;
  }
  if (Object.keys(out.toRemote).length > 0) {
    providerWrite(world, p, out.toRemote);
    link.pushedHash = pushedHash(out.remoteAfter);
    // Some APIs return the new version with the write (Google etags); some do not.
    link.remoteVersion = omitVersionOnWrite ? null : String(p.version);
  } else {
    link.remoteVersion = String(p.version);
  }
  link.base = out.nextBase;
}

function totalWrites(world: World): number {
  return world.entity.writes + world.providers.reduce((n, p) => n + p.writes, 0);
}

/** Pull every provider, then push the entity to every provider: one cycle. */
function cycle(world: World, omitVersionOnWrite = false): number {
  const before = totalWrites(world);
  for (const p of world.providers) syncLink(world, p, 'pull', omitVersionOnWrite);
  for (const p of world.providers) syncLink(world, p, 'push', omitVersionOnWrite);
  return totalWrites(world) - before;
}

const sameView = (a: Record<string, unknown>, b: Record<string, unknown>): boolean =>
  FIELDS.every((f) => deepEqual(a[f], b[f]) || phoneEquals(f, a[f], b[f]));

describe('no echoes, no ping-pong', () => {
  for (const omitVersionOnWrite of [false, true]) {
    it(`a Salesforce edit reaches the entity and Google exactly once, then nothing moves (${omitVersionOnWrite ? 'echo by hash' : 'echo by version'})`, () => {
      const world = newWorld({ salesforce: { strategy: 'last_write_wins' }, google: { strategy: 'last_write_wins' } });
      editInProvider(world, 'salesforce', { email: 'mary.jackson@nasa.example', title: 'Aerospace Engineer' });
      const [sf, google] = world.providers as [Provider, Provider];

      cycle(world, omitVersionOnWrite);
      expect(world.entity.writes).toBe(1);
      expect(google.writes).toBe(1);
      expect(sf.writes).toBe(0);
      expect(google.fields).toMatchObject({ email: 'mary.jackson@nasa.example', title: 'Aerospace Engineer' });

      for (let i = 0; i < 3; i++) expect(cycle(world, omitVersionOnWrite)).toBe(0);
      // Without a version from the write, Google's next read is recognised by its hash.
      expect(world.echoes).toBe(omitVersionOnWrite ? 1 : 0);
      expect(sameView(world.entity.fields, sf.fields) && sameView(world.entity.fields, google.fields)).toBe(true);
    });
  }

  it('a value the provider reformats (Google phone format) is not an echo by hash, yet nothing loops', () => {
    const world = newWorld({ salesforce: { strategy: 'last_write_wins' }, google: { strategy: 'last_write_wins' } });
    editInProvider(world, 'salesforce', { phone: '+17575550199' });
    const [sf, google] = world.providers as [Provider, Provider];
    cycle(world, true);
    expect(google.fields.phone).toBe('+1 757 555 0199');
    expect([world.entity.writes, google.writes, sf.writes]).toEqual([1, 1, 0]);
    for (let i = 0; i < 3; i++) expect(cycle(world, true)).toBe(0);
    expect(world.echoes).toBe(0);
  });

  it('without the normalised comparison the reformatted phone would be a remote change (the hook matters)', () => {
    const world = newWorld({ salesforce: { strategy: 'last_write_wins' }, google: { strategy: 'last_write_wins' } });
    const google = world.providers[1] as Provider;
    const link = world.links.get('google');
    if (link === undefined) throw new Error('google link');
    const out = resolve({ base: { ...link.base, phone: '+17575550100' }, local: world.entity.fields, remote: google.fields, policy: link.policy, fields: FIELDS, remoteSystem: 'google' });
    expect(out.toLocal).toEqual({ phone: '+1 757 555 0100' });
  });

  it('concurrent edits in both providers and the host product settle in one cycle by their strategies', () => {
    const world = newWorld({
      salesforce: { strategy: 'source_wins' },
      google: { strategy: 'target_wins' },
    });
    editInProvider(world, 'salesforce', { phone: '+17575550111', title: 'Lead Engineer' });
    editInProvider(world, 'google', { phone: '+17575550222', email: 'mary.jackson@nasa.example' });
    world.entity.fields = { ...world.entity.fields, title: 'Senior Engineer' };
    world.entity.modifiedAt = world.now;

    cycle(world);
    for (let i = 0; i < 3; i++) expect(cycle(world)).toBe(0);
    const [sf, google] = world.providers as [Provider, Provider];
    // Salesforce (source_wins) beat the host product's title and set the entity's phone
    // first; Google (target_wins) then lost its phone to the entity's and gave its email.
    expect(world.entity.fields).toMatchObject({ title: 'Lead Engineer', email: 'mary.jackson@nasa.example', phone: '+17575550111' });
    expect([world.entity.writes, sf.writes, google.writes]).toEqual([2, 1, 1]);
    expect(sameView(world.entity.fields, sf.fields) && sameView(world.entity.fields, google.fields)).toBe(true);
  });

  it('property: after random concurrent edits under random strategies, all sides agree and writing stops', () => {
    let seed = 2026;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const strategies = ['source_wins', 'target_wins', 'last_write_wins', 'field_merge'];
    const pickOne = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    for (let run = 0; run < 40; run++) {
      const world = newWorld({ salesforce: { strategy: pickOne(strategies) }, google: { strategy: pickOne(strategies) } });
      for (let e = 0; e < 4; e++) {
        const field = pickOne(FIELDS);
        const value = field === 'phone' ? `+1757555${String(1000 + Math.floor(rand() * 9000))}` : `${field}-${run}-${e}`;
        const where = pickOne(['salesforce', 'google', 'tributary']);
        if (where === 'tributary') {
          world.now += 1000;
          world.entity.fields = { ...world.entity.fields, [field]: value };
          world.entity.modifiedAt = world.now;
        } else {
          editInProvider(world, where, { [field]: value });
        }
      }
      cycle(world);
      cycle(world);
      expect(cycle(world)).toBe(0);
      const [sf, google] = world.providers as [Provider, Provider];
      expect(sameView(world.entity.fields, sf.fields) && sameView(world.entity.fields, google.fields)).toBe(true);
    }
  });
});
