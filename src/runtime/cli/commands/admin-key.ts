import type { Command } from 'commander';
import { loadCompose } from './compose-lazy.ts';
import { loadConfig } from '../../config/index.ts';
import { SYSTEM_ACTOR } from '../../tenancy/index.ts';
import { givenFlags } from './flags.ts';
import type { CliIo } from './io.ts';

/** `tributary admin-key create | list | revoke`: stored admin keys (the key itself is printed once, at creation). */
export function registerAdminKeyCommand(program: Command, io: CliIo): void {
  const adminKey = program.command('admin-key').description('Manage admin keys (operator keys that act across tenants).');
  adminKey
    .command('create')
    .description('Create an admin key and print it once, alone on stdout (hints go to stderr). Only its hash is stored.')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--name <name>', 'a label to tell keys apart', 'admin')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (options: { name: string }, command: Command) => {
      const name = options.name.trim();
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      const { openStore } = await loadCompose();
      const opened = await openStore(config);
      try {
        const created = await opened.services.apiKeys.create({ actor: SYSTEM_ACTOR, requestId: null }, { tenantId: null, name: name === '' ? 'admin' : name });
        io.stdout(created.plaintext);
        io.stderr(
          [
            `Created admin key ${created.info.id} (${created.info.prefix}…, "${created.info.name}") in ${config.dataDir}.`,
            'It is shown only this once: store it now. Use it as `Authorization: Bearer <key>`, e.g.',
            `  curl -H "Authorization: Bearer <key>" http://${config.server.host}:${config.server.port}/v1/tenants`,
          ].join('\n'),
        );
      } finally {
        await opened.close();
      }
    });

  adminKey
    .command('list')
    .description('List stored admin keys: id, prefix, name, created, last used, revoked. Never the keys themselves.')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (_options: unknown, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      const { openStore } = await loadCompose();
      const opened = await openStore(config);
      try {
        const keys = await opened.services.apiKeys.list(null);
        if (keys.length === 0) io.stderr('No stored admin keys. Create one with `tributary admin-key create`.');
        for (const key of keys) {
          const state = key.revokedAt === null ? 'active' : `revoked ${key.revokedAt}`;
          io.stdout([key.id, key.prefix, JSON.stringify(key.name), `created ${key.createdAt}`, `last used ${key.lastUsedAt ?? 'never'}`, state].join('  '));
        }
      } finally {
        await opened.close();
      }
    });

  adminKey
    .command('revoke')
    .description('Revoke a stored admin key by id (see `admin-key list`). It stops working at once, also in running processes.')
    .argument('<keyId>', 'the key id, key_...')
    .option('--data <dir>', 'data directory (default ./data, env TRIBUTARY_DATA_DIR)')
    .option('--config <file>', 'JSON config file (env TRIBUTARY_CONFIG)')
    .action(async (keyId: string, _options: unknown, command: Command) => {
      const config = loadConfig({ env: io.env, flags: givenFlags(command) });
      const { openStore } = await loadCompose();
      const opened = await openStore(config);
      try {
        await opened.services.apiKeys.revoke({ actor: SYSTEM_ACTOR, requestId: null }, null, keyId);
        io.stderr(`Revoked admin key ${keyId}.`);
      } finally {
        await opened.close();
      }
    });
}
