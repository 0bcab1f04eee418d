/**
 * How fast the sandbox seeds a benchmark-sized company and serves a full Salesforce
 * Contact walk (the source of the ingest benchmark). Run: `npm run bench:sandbox [size]`.
 * Last line: {"seedMs", "contactsPerSec"}.
 */
import { startSandbox } from '../sandbox/index.ts';

const size = Number(process.argv[2] ?? 100_000);
const t0 = performance.now();
const sandbox = await startSandbox({ size, seed: 7 });
const seedMs = performance.now() - t0;
try {
  const minted = await fetch(`${sandbox.url}/_sandbox/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'salesforce' }),
  });
  const { accessToken } = (await minted.json()) as { accessToken: string };
  const headers = { authorization: `Bearer ${accessToken}` };
  const t1 = performance.now();
  let next: string | null = `/services/data/v60.0/query?q=${encodeURIComponent('SELECT Id, FirstName, LastName, Email, Phone, AccountId, SystemModstamp FROM Contact')}`;
  let records = 0;
  let pages = 0;
  while (next) {
    const response = await fetch(`${sandbox.url}/salesforce${next}`, { headers });
    const page = (await response.json()) as { records: unknown[]; done: boolean; nextRecordsUrl?: string };
    records += page.records.length;
    pages++;
    next = page.done ? null : (page.nextRecordsUrl ?? null);
  }
  const walkMs = performance.now() - t1;
  const contactsPerSec = Math.round(records / (walkMs / 1000));
  console.table({ 'people (size)': size, 'start + seed ms': Math.round(seedMs), contacts: records, pages, 'walk ms': Math.round(walkMs), 'contacts/s': contactsPerSec });
  console.log(JSON.stringify({ seedMs: Math.round(seedMs), contactsPerSec }));
} finally {
  await sandbox.close();
}
