import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from './main.ts';

/** Runs the program in process with its output captured; returns what it printed and its exit code. */
async function run(args: string[]): Promise<{ out: string; err: string; exitCode: number | null }> {
  let out = '';
  let err = '';
  const program = buildProgram({ stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`), env: {} });
  const capture = (command: Command): void => {
    command.configureOutput({ writeOut: (t) => (out += t), writeErr: (t) => (err += t) });
    command.commands.forEach(capture);
  };
  capture(program);
  try {
    await program.parseAsync(['node', 'tributary', ...args]);
    return { out, err, exitCode: null };
  } catch (error) {
    if (error instanceof CommanderError) return { out, err, exitCode: error.exitCode };
    throw error;
  }
}

describe('the tributary program', () => {
  it('has --help for every command', async () => {
    for (const command of [[], ['start'], ['admin-key'], ['admin-key', 'create'], ['sandbox'], ['migrate'], ['dedup'], ['keys', 'rotate'], ['status']]) {
      const result = await run([...command, '--help']);
      expect(result.exitCode, command.join(' ')).toBe(0);
      expect(result.out).toMatch(new RegExp(`^Usage: tributary${command.length > 0 ? ` ${command.join(' ')}` : ''}`));
    }
    const start = await run(['start', '--help']);
    for (const flag of ['--port', '--host', '--data', '--roles', '--no-demo', '--config']) expect(start.out).toContain(flag);
  });

  it('rejects an unknown flag or command as a usage error', async () => {
    const flag = await run(['start', '--prot', '3000']);
    expect(flag.exitCode).not.toBe(0);
    expect(flag.err).toContain("unknown option '--prot'");
    const command = await run(['strat']);
    expect(command.err).toContain("unknown command 'strat'");
  });

  it('creates, lists and revokes stored admin keys, printing a key only when it is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-admin-key-'));
    try {
      const data = ['--data', join(dir, 'data')];
      const created = await run(['admin-key', 'create', ...data, '--name', 'ops']);
      const key = created.out.trim();
      expect(key).toMatch(/^trb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
      expect(created.err).toContain('shown only this once');

      const listed = await run(['admin-key', 'list', ...data]);
      const fields = listed.out.trim().split(/\s+/);
      const id = fields[0];
      expect([fields[1], fields[2], fields.at(-1)]).toEqual([key.slice(0, 12), '"ops"', 'active']);
      expect(listed.out).not.toContain(key);

      await run(['admin-key', 'revoke', id ?? '', ...data]);
      expect((await run(['admin-key', 'list', ...data])).out).toContain('revoked');
      await expect(run(['admin-key', 'revoke', id ?? '', ...data])).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
