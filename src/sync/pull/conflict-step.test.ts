import { describe, expect, it } from 'vitest';
import type { SyncDirection } from '../../domain/integration.ts';
import type { LinkedEntity } from '../../ports/store.ts';
import { parseConflictPolicy } from '../conflicts/index.ts';
import { ConflictStep, entitiesWithLocalChanges, type ReconcileInput } from './conflict-step.ts';

const AT = '2026-03-01T12:00:00.000Z';

function step(strategy: Record<string, unknown>, options: { ownership?: Record<string, unknown>; direction?: SyncDirection; readOnly?: string[] } = {}): ConflictStep {
  return new ConflictStep({
    tenantId: 'ten_a', integrationId: 'int_a', connectionId: 'con_a', runId: 'run_1', at: AT, provider: 'salesforce',
    policy: parseConflictPolicy(strategy, options.ownership ?? {}), direction: options.direction ?? 'bidirectional', readOnly: new Set(options.readOnly ?? []),
  });
}

const BASE = { email: 'ann@example.com', phone: '+1 555 0100', title: 'Engineer' };

function input(local: Record<string, unknown>, remote: Record<string, unknown>, extra: Partial<ReconcileInput> = {}): ReconcileInput {
  return {
    linkId: 'lnk_1', object: 'Contact', externalId: '003A', base: BASE, linkVersion: 'v1', entityId: 'ent_1',
    entityFields: local, mappedFields: remote, mappedVersion: 'v2', primary: true, recordId: '003A', ...extra,
  };
}

describe('the pull conflict step', () => {
  it('leaves a record whose entity still equals the base to the plain write path', () => {
    const s = step({ strategy: 'manual' });
    expect(s.reconcile(input({ ...BASE, tier: 'gold' }, { ...BASE, title: 'CTO' }))).toBeNull();
    expect(s.planned().inserts).toEqual([]);
  });

  it('merges changes to different fields: the host edit stays, the provider edit is applied, nothing is recorded', () => {
    const s = step({ strategy: 'source_wins' });
    const r = s.reconcile(input({ ...BASE, phone: '+1 555 0199' }, { ...BASE, title: 'CTO' }));
    expect(r).toEqual({
      toLocal: { title: 'CTO' },
      // The host's phone is not at the provider yet: its base stays the provider's value, so the push sends it.
      base: { ...BASE, title: 'CTO' },
      remoteVersion: 'v2',
    });
    expect(s.planned().inserts).toEqual([]);
  });

  it('source_wins: the provider value is written and the conflict is recorded as decided, with both values', () => {
    const s = step({ strategy: 'source_wins' });
    const r = s.reconcile(input({ ...BASE, title: 'Host title' }, { ...BASE, title: 'SF title' }));
    expect(r?.toLocal).toEqual({ title: 'SF title' });
    expect(r?.base.title).toBe('SF title');
    const [row] = s.planned().inserts;
    expect(row).toMatchObject({
      status: 'resolved', entityId: 'ent_1', integrationId: 'int_a',
      payload: { runId: 'run_1', linkId: 'lnk_1', provider: 'salesforce', remoteVersion: 'v2', fields: { title: { base: 'Engineer', local: 'Host title', remote: 'SF title', decision: 'remote', value: 'SF title', strategy: 'source_wins' } } },
      resolution: { kind: 'automatic', by: 'strategy', fields: { title: { decision: 'remote', value: 'SF title' } } },
    });
    expect(s.planned().outgoing.size).toBe(0);
  });

  it('target_wins: the entity keeps its value, the base keeps the provider value, and an outbox push is planned', () => {
    const s = step({ strategy: 'target_wins' });
    const r = s.reconcile(input({ ...BASE, title: 'Host title' }, { ...BASE, title: 'SF title' }));
    expect(r?.toLocal).toEqual({});
    expect(r?.base.title).toBe('SF title');
    expect(s.planned().outgoing.get('ent_1')).toEqual({ title: 'Host title' });
  });

  it('target_wins on a pull-only integration plans no push', () => {
    const s = step({ strategy: 'target_wins' }, { direction: 'pull' });
    s.reconcile(input({ ...BASE, title: 'Host title' }, { ...BASE, title: 'SF title' }));
    expect(s.planned().outgoing.size).toBe(0);
    expect(s.planned().inserts).toHaveLength(1);
  });

  it('manual: the entity keeps its value, the field keeps its old base and the link its old version, and one open row waits', () => {
    const s = step({ strategy: 'manual' });
    const r = s.reconcile(input({ ...BASE, title: 'Host title' }, { ...BASE, title: 'SF title', phone: '+1 555 0111' }));
    expect(r).toEqual({ toLocal: { phone: '+1 555 0111' }, base: { ...BASE, phone: '+1 555 0111' }, remoteVersion: 'v1' });
    const rows = s.planned().inserts;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'open', resolution: null, payload: { fields: { title: { local: 'Host title', remote: 'SF title', decision: 'pending' } } } });
    expect(s.waiting).toBe(1);
    // The same record again in the page (or a replay): the open row is not duplicated.
    s.reconcile(input({ ...BASE, title: 'Host title' }, { ...BASE, title: 'SF title', phone: '+1 555 0111' }, { base: r!.base }));
    expect(s.planned().inserts).toHaveLength(1);
  });

  it('last_write_wins: the newer side wins by the record and entity times', () => {
    const s = step({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 1000 } });
    s.setRecordTimes([{ recordId: '003A', modifiedAt: '2026-03-01T11:00:00.000Z' }]);
    // No entity time loaded: unknown, so the tie-break (the provider) decides.
    expect(s.reconcile(input({ ...BASE, title: 'Host' }, { ...BASE, title: 'SF' }))?.toLocal).toEqual({ title: 'SF' });
    const local = step({ strategy: 'last_write_wins', lastWriteWins: { toleranceMs: 1000, tieBreak: 'local' } });
    expect(local.reconcile(input({ ...BASE, title: 'Host' }, { ...BASE, title: 'SF' }))?.toLocal).toEqual({});
  });

  it('field ownership beats the strategy: an internally owned field keeps the host value even under source_wins', () => {
    const s = step({ strategy: 'source_wins' }, { ownership: { title: 'internal' } });
    const r = s.reconcile(input({ ...BASE, title: 'Host' }, { ...BASE, title: 'SF' }));
    expect(r?.toLocal).toEqual({});
    expect(s.planned().inserts[0]).toMatchObject({ payload: { fields: { title: { strategy: 'ownership', decision: 'local' } } } });
  });

  it('treats our own push coming back (the provider holds the base) as no remote change', () => {
    const s = step({ strategy: 'source_wins' });
    // The host edited phone after the push; the echo carries the pushed (base) values with a new version.
    const r = s.reconcile(input({ ...BASE, phone: '+1 555 0199' }, { ...BASE }, { mappedVersion: 'v3' }));
    expect(r).toEqual({ toLocal: {}, base: BASE, remoteVersion: 'v3' });
    expect(s.planned().inserts).toEqual([]);
  });

  it('a removal at the provider removes the field unless the host changed it', () => {
    const s = step({ strategy: 'manual' });
    const { phone: _phone, ...withoutPhone } = BASE;
    const r = s.reconcile(input({ ...BASE, title: 'Host' }, withoutPhone));
    expect(r?.toLocal).toEqual({ phone: null });
    expect(r?.base).toEqual(withoutPhone);
  });

  it('a secondary (partial) view only considers its own fields and merges its base', () => {
    const s = step({ strategy: 'source_wins' });
    // A host edit of a field the view does not carry is none of its business.
    expect(s.reconcile(input({ ...BASE, title: 'Host' }, { phone: '+1 555 0122' }, { primary: false, recordId: null }))).toBeNull();
    const r = s.reconcile(input({ ...BASE, title: 'Host', phone: '+1 555 0199' }, { phone: '+1 555 0122' }, { primary: false, recordId: null }));
    expect(r).toEqual({ toLocal: { phone: '+1 555 0122' }, base: { ...BASE, phone: '+1 555 0122' }, remoteVersion: 'v2' });
  });

  it('gives read-only fields (the provider computes them) to the provider silently, never as a local change or a conflict', () => {
    const s = step({ strategy: 'manual' }, { readOnly: ['updatedAt'] });
    const base = { ...BASE, updatedAt: 't2' };
    // Only the read-only field differs from the base: not a local change.
    expect(s.reconcile(input({ ...BASE, updatedAt: 't1' }, { ...BASE, updatedAt: 't3' }, { base }))).toBeNull();
    const r = s.reconcile(input({ ...BASE, updatedAt: 't1', title: 'Host' }, { ...BASE, updatedAt: 't3', title: 'SF' }, { base }));
    expect(r?.toLocal).toEqual({ updatedAt: 't3' });
    expect(r?.base.updatedAt).toBe('t3');
    expect(Object.keys(s.planned().inserts[0]!.payload.fields as object)).toEqual(['title']);
  });

  it('finds the entities with local changes among stored links in memory', () => {
    const linked = (id: string, fields: Record<string, unknown>, base: Record<string, unknown> | null): LinkedEntity => ({
      linkId: `lnk_${id}`, object: 'Contact', externalId: id, recordId: id, remoteVersion: 'v1', baseSnapshot: base, tombstonedAt: null,
      entity: { id: `ent_${id}`, tenantId: 'ten_a', type: 'person', fields, version: 1, createdAt: AT, updatedAt: AT, deletedAt: null, mergedInto: null },
    });
    expect(entitiesWithLocalChanges([
      linked('same', { ...BASE, other: 1 }, BASE),
      linked('edited', { ...BASE, title: 'x' }, BASE),
      linked('first', { a: 1 }, null),
    ])).toEqual(['ent_edited']);
  });
});
