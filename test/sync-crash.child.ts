/**
 * Child process of sync-crash.test.ts: runs a pull of Salesforce Contacts into the
 * database at argv[2] from the sandbox at argv[3] (run id argv[4], page size argv[5]),
 * page by page, until it is killed or done. With argv[6] = 'wait' it gets ready (imports,
 * store, token) and then waits for a line on stdin before it starts the run, so the test
 * can warm the next worker up while the current one runs.
 */
import { once } from 'node:events';
import { startWorld } from './sync-fixture.ts';

const [dbPath, sandboxUrl, runId = 'run_child', pageSize = '200', mode = 'now'] = process.argv.slice(2);
const world = await startWorld({ provider: 'salesforce', object: 'Contact', dbPath, sandboxUrl });
process.stdout.write('ready\n');
if (mode === 'wait') {
  await once(process.stdin, 'data');
  process.stdin.destroy(); // or the open pipe keeps the process alive after the run
}
// Commit every page: more commit points for the kills to fall between.
const outcome = await world.run({ pageSize: Number(pageSize), runId, commitEveryRecords: Number(pageSize) });
process.stdout.write(`${JSON.stringify(outcome)}\n`);
await world.close();
