import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, isSecretFieldName, redactSecrets } from './logger.ts';

describe('log redaction', () => {
  it('masks secret-named fields at any depth and keeps ids and versions', () => {
    const redacted = redactSecrets({
      tenantId: 'ten_1',
      keyId: 'key_1',
      keyVersion: 2,
      accessToken: 'at-123',
      nested: { client_secret: 'cs', list: [{ password: 'pw', refresh_token: 'rt' }], apiKey: 'k', masterKey: 'mk' },
      headers: { authorization: 'Bearer x', cookie: 'c', 'x-api-key': 'y' },
    });
    expect(redacted).toEqual({
      tenantId: 'ten_1',
      keyId: 'key_1',
      keyVersion: 2,
      accessToken: '[redacted]',
      nested: {
        client_secret: '[redacted]',
        list: [{ password: '[redacted]', refresh_token: '[redacted]' }],
        apiKey: '[redacted]',
        masterKey: '[redacted]',
      },
      headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' },
    });
  });

  it('classifies field names', () => {
    for (const name of ['token', 'signingSecret', 'password', 'key', 'api_key', 'privateKey', 'Authorization']) {
      expect(isSecretFieldName(name), name).toBe(true);
    }
    for (const name of ['keyId', 'idempotencyKey', 'monkey', 'keyboard', 'name', 'prefix']) {
      expect(isSecretFieldName(name), name).toBe(false);
    }
  });

  it('writes JSON lines with the secret values masked', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger({ level: 'info', destination });
    logger.child({ component: 'test' }).info({ credentials: { refreshToken: 'rt-secret-value' }, tenantId: 'ten_9' }, 'refreshed');
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 'info', component: 'test', msg: 'refreshed', tenantId: 'ten_9' });
    expect(lines.join('')).not.toContain('rt-secret-value');
  });
});

describe('log correlation', () => {
  it('puts the running job\'s correlation id, job id and queue on every line written inside it, at any depth, and nothing outside', async () => {
    const { runWithLogContext } = await import('../../observability/index.ts');
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk: Buffer, _e, done) => { lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>); done(); } }) });
    const child = logger.child({ component: 'sync' });
    await runWithLogContext({ correlationId: 'evt_1', jobId: 'job_1', queue: 'webhook-events' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      child.info({ step: 1 }, 'inside');
    });
    logger.info({}, 'outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', component: 'sync', correlationId: 'evt_1', jobId: 'job_1', queue: 'webhook-events' });
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[1]).not.toHaveProperty('correlationId');
  });
});
