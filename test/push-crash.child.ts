/**
 * Child process of push-crash.test.ts: joins the parent's world (database argv[2],
 * sandbox argv[3]) and consumes `sync-outbound` with the outbound handler under a short
 * lease (argv[4] ms), until it is killed.
 */
import { startPushWorld } from './push-fixture.ts';

const [dbPath, sandboxUrl, leaseMs = '1500'] = process.argv.slice(2);
const world = await startPushWorld({ dbPath, sandboxUrl });
world.queue.consume('sync-outbound', world.handler, { concurrency: 1, leaseMs: Number(leaseMs) });
process.stdout.write('ready\n');
