/**
 * Child process of sync-crash.test.ts: runs a pull of Salesforce Contacts into the
 * database at argv[2] from the sandbox at argv[3] (run id argv[4], page size argv[5]),
 * page by page, until it is killed or done.
 */
import { startWorld } from './sync-fixture.ts';

const [dbPath, sandboxUrl, runId = 'run_child', pageSize = '200'] = process.argv.slice(2);
const world = await startWorld({ provider: 'salesforce', object: 'Contact', dbPath, sandboxUrl });
process.stdout.write('ready\n');
// Commit every page: more commit points for the kills to fall between.
const outcome = await world.run({ pageSize: Number(pageSize), runId, commitEveryRecords: Number(pageSize) });
process.stdout.write(`${JSON.stringify(outcome)}\n`);
await world.close();
