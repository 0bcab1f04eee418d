/**
 * Push throughput end to end against the sandbox (Salesforce and Google on 127.0.0.1):
 * host PATCHes of people linked to both providers, each outbox row pushed by the real
 * outbound handler through the real provider HTTP client and rate limiter (precondition,
 * write, read-back, link record). Prints the rows pushed, provider writes, and
 * {"rowsPerSecond": N, "msPerRow": N, "providerWrites": N}. Google People allows about 60
 * writes a minute per user: more edits than that wait on the rate limiter (by design).
 *
 *   node --import tsx bench/push.bench.ts [--people 200] [--edits 25]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { GG, SF, TENANT, startPushWorld } from '../test/push-fixture.ts';

const { values } = parseArgs({ options: { people: { type: 'string', default: '200' }, edits: { type: 'string', default: '25' } } });
const world = await startPushWorld({ size: Number(values.people) });
try {
  await world.pull('salesforce');
  await world.pull('google');
  await world.drain();
  await world.advance(5_000);
  const shared = world.sql<{ entity_id: string }>(
    `SELECT DISTINCT a.entity_id FROM entity_links a JOIN entity_links b ON b.entity_id = a.entity_id
     WHERE a.connection_id = ? AND a.object = 'Contact' AND b.connection_id = ? AND a.tombstoned_at IS NULL AND b.tombstoned_at IS NULL LIMIT ?`,
    SF.connection, GG.connection, Number(values.edits));
  await world.writes.bulk(TENANT, shared.map((row, i) => ({ op: 'update', id: row.entity_id, fields: { phone: `+1415555${String(1000 + i).padStart(4, '0')}` } })));
  await world.clearRequests();
  const started = performance.now();
  const rows = await world.drain();
  const ms = performance.now() - started;
  const writes = [...(await world.requests('salesforce', 'PATCH')), ...(await world.requests('google', 'PATCH'))].length;
  console.log(`${rows} outbox rows (people linked to both providers), ${writes} provider writes, ${ms.toFixed(0)} ms`);
  console.log(JSON.stringify({ rowsPerSecond: Number(((rows * 1000) / ms).toFixed(1)), msPerRow: Number((ms / rows).toFixed(1)), providerWrites: writes }));
} finally {
  await world.close();
}
