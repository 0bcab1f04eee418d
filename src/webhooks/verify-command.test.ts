import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { formatVerifyOutcome, runWebhookVerify } from './verify-command.ts';

describe('webhooks verify command', () => {
  const body = Buffer.from('{"type":"event_callback","event_id":"Ev9","event":{"type":"message"}}');
  const ts = 1_790_000_000;
  const signature = `v0=${createHmac('sha256', 'sec').update(`v0:${ts}:${body.toString()}`).digest('hex')}`;
  const headers = [`X-Slack-Request-Timestamp: ${ts}`, `X-Slack-Signature: ${signature}`];

  it('runs the receiver’s verifier at --now and prints valid', () => {
    const outcome = runWebhookVerify({ provider: 'slack', secrets: ['sec'], headers, body, nowSeconds: ts + 10 }, 0);
    expect(outcome).toEqual({ valid: true, deliveryId: 'Ev9', type: 'event_callback:message' });
    expect(formatVerifyOutcome(outcome)).toBe('valid');
  });
  it('prints the reason when invalid: stale, wrong secret, bad arguments, unknown provider', () => {
    expect(formatVerifyOutcome(runWebhookVerify({ provider: 'slack', secrets: ['sec'], headers, body, nowSeconds: ts + 301 }, 0))).toBe('invalid: stale_timestamp');
    expect(formatVerifyOutcome(runWebhookVerify({ provider: 'slack', secrets: ['other'], headers, body, nowSeconds: ts }, 0))).toBe('invalid: bad_signature');
    expect(formatVerifyOutcome(runWebhookVerify({ provider: 'slack', secrets: ['sec'], headers: ['nocolon'], body }, 0))).toMatch(/^invalid: bad header argument/);
    expect(formatVerifyOutcome(runWebhookVerify({ provider: 'teams', secrets: ['sec'], headers, body }, 0))).toMatch(/^invalid: unknown provider/);
  });
});
