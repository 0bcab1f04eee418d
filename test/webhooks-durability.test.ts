import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

interface Started {
  child: ChildProcess;
  url: string;
  tenantId: string;
  registrationId: string;
}

const children: ChildProcess[] = [];

function start(args: string[]): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'webhooks-intake.child.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) resolve({ child, ...(JSON.parse(out.slice(0, newline)) as Omit<Started, 'child'>) });
    });
    child.on('exit', (code) => reject(new Error(`intake exited early (${code})`)));
  });
}

function signed(secret: string, deliveryId: string) {
  const body = JSON.stringify({ action: 'edited', issue: { number: 1, title: deliveryId }, repository: { full_name: 'acme/web' } });
  return {
    body,
    headers: { 'content-type': 'application/json', 'x-github-event': 'issues', 'x-github-delivery': deliveryId, 'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}` },
  };
}

async function deliver(url: string, registrationId: string, secret: string, deliveryId: string): Promise<number> {
  try {
    const { body, headers } = signed(secret, deliveryId);
    const response = await fetch(`${url}/webhooks/${registrationId}/events`, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('webhook intake durability', () => {
  it('keeps exactly once every delivery that got a 2xx when the process is SIGKILLed mid-stream', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-crash-'));
    try {
      const secret = 'crash-secret';
      const first = await start(['--dir', dir, '--secret', secret]);
      const ids: string[] = Array.from({ length: 2000 }, () => randomUUID());
      const acked = new Set<string>();
      let next = 0;
      let killed = false;
      // 32 senders in parallel; the process is killed once 600 deliveries were acknowledged.
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < ids.length) {
            const id = ids[next++] as string;
            const status = await deliver(first.url, first.registrationId, secret, id);
            if (status >= 200 && status < 300) acked.add(id);
            if (!killed && acked.size >= 600) {
              killed = true;
              first.child.kill('SIGKILL');
            }
          }
        }),
      );
      expect(killed).toBe(true);
      expect(acked.size).toBeGreaterThanOrEqual(600);
      expect(acked.size).toBeLessThan(2000);

      // Restart on the same file; the sender retries what was not acknowledged, and redelivers a few that were.
      const second = await start(['--dir', dir, '--tenant', first.tenantId, '--registration', first.registrationId]);
      const retry = ids.filter((id) => !acked.has(id)).concat([...acked].slice(0, 50));
      for (let i = 0; i < retry.length; i += 32) {
        const statuses = await Promise.all(retry.slice(i, i + 32).map((id) => deliver(second.url, second.registrationId, secret, id)));
        expect(statuses.every((s) => s === 200)).toBe(true);
      }
      second.child.kill('SIGKILL');

      const db = new Database(join(dir, 'tributary.db'), { readonly: true });
      try {
        const rows = db.prepare('SELECT delivery_id AS id, count(*) AS n FROM webhook_events GROUP BY delivery_id').all() as { id: string; n: number }[];
        const stored = new Map(rows.map((r) => [r.id, r.n]));
        for (const id of acked) expect(stored.get(id)).toBe(1);
        expect(rows.every((r) => r.n === 1)).toBe(true);
        expect(stored.size).toBe(2000);
        const jobs = db.prepare("SELECT count(*) AS n, count(DISTINCT idempotency_key) AS k FROM jobs WHERE queue = 'webhook-events'").get() as { n: number; k: number };
        expect(jobs).toEqual({ n: 2000, k: 2000 });
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
