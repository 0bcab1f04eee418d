import type { Command } from 'commander';
import { configError, loadConfig } from '../../config/index.ts';
import { readConnectionStatus } from '../status-report.ts';
import type { ConnectionStatusRow } from '../status-report.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

/**
 * `tributary status [--json]`: every connection with its tenant, provider, status,
 * credential expiry, entity count and last sync result. Reads the database on a
 * read-only connection, so it works while `tributary start` runs on the same data dir.
 */
export function registerStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('Show every connection: tenant, provider, status, credential expiry, entities, last sync. Safe while `start` runs.')
    .option('--json', 'print one JSON object: {"connections": [{"id", "tenantId", "provider", "status", "entities", "lastRun", ...}]}')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (options: { json?: boolean }, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      if (config.store.kind !== 'sqlite') {
        throw configError('TRIBUTARY_DATABASE_URL', 'is set: `status` reads the embedded SQLite file only (expected it unset; in cluster mode use GET /v1/connections)');
      }
      const rows = readConnectionStatus(config.store.path);
      if (options.json === true) {
        io.stdout(JSON.stringify({ connections: rows.map(toJson) }));
        return;
      }
      if (rows.length === 0) {
        io.stdout(`No connections in ${config.dataDir}.`);
        return;
      }
      io.stdout(formatTable(rows));
    });
}

function toJson(row: ConnectionStatusRow): Record<string, unknown> {
  return {
    id: row.id,
    tenantId: row.tenantId,
    provider: row.provider,
    name: row.name,
    status: row.status,
    credentialExpiresAt: row.credential?.expiresAt ?? null,
    entities: row.entities,
    lastRun: row.lastRun,
  };
}

function formatTable(rows: readonly ConnectionStatusRow[]): string {
  const header = ['CONNECTION', 'TENANT', 'PROVIDER', 'STATUS', 'CREDENTIAL EXPIRES', 'ENTITIES', 'LAST SYNC'];
  const lines = rows.map((row) => [
    `${row.id} (${row.name})`,
    row.tenantName === '' ? row.tenantId : `${row.tenantId} (${row.tenantName})`,
    row.provider,
    row.status,
    row.credential === null ? '-' : (row.credential.expiresAt ?? 'never'),
    String(row.entities),
    row.lastRun === null ? 'never' : `${row.lastRun.status} at ${row.lastRun.finishedAt ?? row.lastRun.startedAt}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] ?? '').length)));
  return [header, ...lines].map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()).join('\n');
}
