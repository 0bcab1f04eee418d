/**
 * Cost of the pull writer's conflict step per record (pure, in memory): a record whose
 * entity still equals the link's base (the fast path every unchanged-locally record
 * takes) against one with a host edit that conflicts (three-way resolution and a stored
 * conflict planned). Prints one line per case, then {"fastPathUs": N, "conflictUs": N}.
 *
 *   node --import tsx bench/conflict-step.bench.ts [--records 100000]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseConflictPolicy } from '../src/sync/conflicts/index.ts';
import { ConflictStep } from '../src/sync/pull/conflict-step.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '100000' } } });
const n = Number(values.records);
const base = {
  givenName: 'Ann', familyName: 'Lee', name: 'Ann Lee', email: 'ann@example.com', phone: '+15550100', title: 'Engineer', department: 'R&D',
  city: 'Oslo', country: 'NO', tier: 'gold', createdAt: '2024-01-01T00:00:00.000Z', updatedAt: '2024-01-02T00:00:00.000Z',
};
const remote = { ...base, title: 'CTO' };

function measure(local: Record<string, unknown>, label: string): number {
  const step = new ConflictStep({
    tenantId: 't', integrationId: 'i', connectionId: 'c', runId: 'r', at: '2026-01-01T00:00:00.000Z', provider: 'salesforce',
    policy: parseConflictPolicy({ strategy: 'manual' }, {}), direction: 'bidirectional', readOnly: new Set(['name', 'createdAt', 'updatedAt']),
  });
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    step.reconcile({ linkId: `l${i}`, object: 'Contact', externalId: `x${i}`, base, linkVersion: 'v1', entityId: `e${i}`, entityFields: local, mappedFields: remote, mappedVersion: 'v2', primary: true, recordId: `x${i}` });
  }
  const us = ((performance.now() - started) * 1000) / n;
  console.log(`${label.padEnd(48)} ${n} records  ${us.toFixed(2)} µs/record`);
  return us;
}

const fastPathUs = measure({ ...base }, 'no local change (fast path)');
const conflictUs = measure({ ...base, title: 'Host' }, 'host edit conflicting (three-way + stored row)');
console.log(JSON.stringify({ fastPathUs: Number(fastPathUs.toFixed(2)), conflictUs: Number(conflictUs.toFixed(2)) }));
