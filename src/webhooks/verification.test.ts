import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { githubWebhookWork } from '../providers/github/webhooks.ts';
import { SALESFORCE_ACK } from '../providers/salesforce/webhooks.ts';
import { slackWebhookWork } from '../providers/slack/webhooks.ts';
import { verifierFor } from './verification.ts';

// Signatures are computed here from each provider's documented algorithm, not by our code.
const NOW = Date.parse('2026-11-26T07:00:00Z');
const NOW_S = Math.floor(NOW / 1000);
const hmacHex = (key: string | Buffer, data: string | Buffer) => createHmac('sha256', key).update(data).digest('hex');

function expectReason(result: { ok: boolean; reason?: string }, reason: string): void {
  expect(result).toEqual({ ok: false, reason });
}

describe('GitHub X-Hub-Signature-256', () => {
  const verify = verifierFor('github');
  const secret = 'gh-secret-1';
  const body = Buffer.from(JSON.stringify({ action: 'edited', issue: { number: 7 }, repository: { full_name: 'acme/web' } }));
  const headers = (b: Buffer = body, key = secret) => ({
    'content-type': 'application/json',
    'x-github-event': 'issues',
    'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
    'x-hub-signature-256': `sha256=${hmacHex(key, b)}`,
  });

  it('accepts a delivery signed with the secret and names the changed issue', () => {
    const result = verify(body, headers(), [secret], NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.deliveryId).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(result.event.type).toBe('issues.edited');
    expect(githubWebhookWork(result.event as never)).toEqual({ kind: 'record', object: 'issues', id: 'acme/web#7', deleted: false });
  });
  it('accepts uppercase hex and either secret during a rotation', () => {
    const h = headers(body, 'new-secret');
    h['x-hub-signature-256'] = h['x-hub-signature-256'].toUpperCase().replace('SHA256=', 'sha256=');
    expect(verify(body, h, [secret, 'new-secret'], NOW).ok).toBe(true);
  });
  it('refuses a tampered body', () => {
    expectReason(verify(Buffer.from(body.toString().replace('7', '8')), headers(), [secret], NOW), 'bad_signature');
  });
  it('refuses a wrong secret', () => expectReason(verify(body, headers(body, 'other'), [secret], NOW), 'bad_signature'));
  it('refuses missing or malformed headers', () => {
    const { 'x-hub-signature-256': _s, ...noSig } = headers();
    expectReason(verify(body, noSig, [secret], NOW), 'missing_signature');
    const { 'x-github-event': _e, ...noEvent } = headers();
    expectReason(verify(body, noEvent, [secret], NOW), 'missing_event');
    expectReason(verify(body, { ...headers(), 'x-hub-signature-256': 'sha1=abc' }, [secret], NOW), 'malformed_signature');
    expectReason(verify(body, headers(), [], NOW), 'no_secret');
  });
  it('answers a ping and rejects a signed non-JSON body as bad input', () => {
    const ping = Buffer.from(JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1 }));
    const result = verify(ping, { ...headers(ping), 'x-github-event': 'ping' }, [secret], NOW);
    expect(result.ok && result.event.reply?.body).toBe('{"ok":true}');
    const junk = Buffer.from('not json');
    expectReason(verify(junk, headers(junk), [secret], NOW), 'malformed_body');
  });
});

describe('Slack v0 signature', () => {
  const verify = verifierFor('slack');
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const envelope = { type: 'event_callback', event_id: 'Ev123', event: { type: 'message', channel: 'C1', ts: '1700000000.000100' } };
  const body = Buffer.from(JSON.stringify(envelope));
  const headers = (b: Buffer = body, ts = NOW_S, key = secret) => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': `v0=${hmacHex(key, `v0:${ts}:${b.toString()}`)}`,
  });

  it('accepts a signed event and uses event_id as the delivery id', () => {
    const result = verify(body, headers(), [secret], NOW);
    expect(result.ok && result.deliveryId).toBe('Ev123');
    expect(result.ok && slackWebhookWork(result.event as never)).toEqual({ kind: 'record', object: 'messages', id: 'C1:1700000000.000100', deleted: false });
  });
  it('answers url_verification with the challenge', () => {
    const challenge = Buffer.from(JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' }));
    const result = verify(challenge, headers(challenge), [secret], NOW);
    expect(result.ok && result.event.reply).toEqual({ contentType: 'text/plain', body: 'c-123' });
  });
  it('refuses a tampered body and a wrong secret', () => {
    expectReason(verify(Buffer.from(body.toString().replace('C1', 'C2')), headers(), [secret], NOW), 'bad_signature');
    expectReason(verify(body, headers(body, NOW_S, 'wrong'), [secret], NOW), 'bad_signature');
  });
  it('refuses timestamps more than 300 s away, either way, even when well signed', () => {
    expectReason(verify(body, headers(body, NOW_S - 301), [secret], NOW), 'stale_timestamp');
    expectReason(verify(body, headers(body, NOW_S + 301), [secret], NOW), 'stale_timestamp');
    expect(verify(body, headers(body, NOW_S - 300), [secret], NOW).ok).toBe(true);
  });
  it('refuses missing headers', () => {
    expectReason(verify(body, { 'x-slack-request-timestamp': String(NOW_S) }, [secret], NOW), 'missing_signature');
    expectReason(verify(body, { 'x-slack-signature': headers()['x-slack-signature'] }, [secret], NOW), 'missing_timestamp');
  });
});

describe('Notion X-Notion-Signature', () => {
  const verify = verifierFor('notion');
  const token = 'secret_abc123';
  const event = { id: 'evt-1', type: 'page.properties_updated', entity: { id: 'page-1', type: 'page' }, attempt_number: 1 };
  const body = Buffer.from(JSON.stringify(event));
  const sign = (b: Buffer, key = token) => ({ 'x-notion-signature': `sha256=${hmacHex(key, b)}` });

  it('accepts a signed event with its id as the delivery id', () => {
    const result = verify(body, sign(body), [token], NOW);
    expect(result.ok && result.deliveryId).toBe('evt-1');
  });
  it('takes the verification_token handshake before a token is known, signed or not', () => {
    const handshake = Buffer.from(JSON.stringify({ verification_token: token }));
    for (const headers of [{}, sign(handshake)]) {
      const result = verify(handshake, headers, [], NOW);
      expect(result.ok && result.event.verificationToken).toBe(token);
    }
    expectReason(verify(handshake, sign(handshake, 'forged'), [], NOW), 'bad_signature');
    expectReason(verify(body, sign(body), [], NOW), 'no_secret');
  });
  it('refuses tampered bodies, wrong tokens, missing and unprefixed signatures', () => {
    expectReason(verify(Buffer.from(body.toString().replace('page-1', 'page-2')), sign(body), [token], NOW), 'bad_signature');
    expectReason(verify(body, sign(body, 'secret_other'), [token], NOW), 'bad_signature');
    expectReason(verify(body, {}, [token], NOW), 'missing_signature');
    expectReason(verify(body, { 'x-notion-signature': hmacHex(token, body) }, [token], NOW), 'malformed_signature');
  });
});

describe('Google watch channel token', () => {
  const verify = verifierFor('google');
  const token = randomBytes(24).toString('base64url');
  const headers = (over: Record<string, string> = {}) => ({
    'x-goog-channel-id': 'chan-1',
    'x-goog-channel-token': token,
    'x-goog-channel-expiration': new Date(NOW + 3_600_000).toUTCString(),
    'x-goog-resource-id': 'res-1',
    'x-goog-resource-state': 'exists',
    'x-goog-message-number': '42',
    ...over,
  });

  it('accepts the channel token and keys the delivery by channel and message number', () => {
    const result = verify(Buffer.alloc(0), headers(), [token], NOW);
    expect(result.ok && result.deliveryId).toBe('chan-1:42');
    expect(result.ok && result.event.type).toBe('exists');
  });
  it('refuses a wrong token, an expired channel and missing headers', () => {
    expectReason(verify(Buffer.alloc(0), headers({ 'x-goog-channel-token': 'nope' }), [token], NOW), 'bad_token');
    expectReason(verify(Buffer.alloc(0), headers({ 'x-goog-channel-expiration': new Date(NOW - 1000).toUTCString() }), [token], NOW), 'stale_channel');
    const { 'x-goog-channel-token': _t, ...noToken } = headers();
    expectReason(verify(Buffer.alloc(0), noToken, [token], NOW), 'missing_token');
    expectReason(verify(Buffer.alloc(0), headers({ 'x-goog-message-number': 'x' }), [token], NOW), 'malformed_message_number');
  });
});

describe('Salesforce outbound message', () => {
  const verify = verifierFor('salesforce');
  const org = '00D5g000004ABCDEAA';
  const envelope = (orgId: string, recordId = '0035g00000XyZabAAB') => Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
 <soapenv:Body>
  <notifications xmlns="http://soap.sforce.com/2005/09/outbound">
   <OrganizationId>${orgId}</OrganizationId>
   <ActionId>04k5g000000001AAA</ActionId>
   <Notification>
    <Id>04l5g00000ABCDEAA1</Id>
    <sObject xsi:type="sf:Contact" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
     <sf:Id>${recordId}</sf:Id>
     <sf:LastName>O&apos;Brien</sf:LastName>
    </sObject>
   </Notification>
  </notifications>
 </soapenv:Body>
</soapenv:Envelope>`);

  it('accepts the expected organisation (15 or 18 characters) and answers the Ack', () => {
    const result = verify(envelope(org), {}, [org.slice(0, 15)], NOW);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.deliveryId).toBe('04l5g00000ABCDEAA1');
    expect(result.event.reply?.body).toBe(SALESFORCE_ACK);
    expect(result.event.reply?.body).toContain('<Ack>true</Ack>');
    expect(result.event.payload).toMatchObject({ notifications: [{ object: 'Contact', recordId: '0035g00000XyZabAAB', fields: { LastName: "O'Brien" } }] });
  });
  it('refuses another organisation and a body that is not a notifications envelope', () => {
    expectReason(verify(envelope('00D5g000009ZZZZEAA'), {}, [org], NOW), 'wrong_organization');
    expectReason(verify(Buffer.from('<a/>'), {}, [org], NOW), 'malformed_body');
    expectReason(verify(envelope(org), {}, [], NOW), 'no_secret');
  });
});

describe('Standard Webhooks', () => {
  const verify = verifierFor('standard');
  const key = randomBytes(32);
  const secret = `whsec_${key.toString('base64')}`;
  const body = Buffer.from(JSON.stringify({ type: 'contact.updated', data: { id: 'c1' } }));
  const sign = (k: Buffer, id: string, ts: number, b: Buffer) => createHmac('sha256', k).update(`${id}.${ts}.${b.toString()}`).digest('base64');
  const headers = (ts = NOW_S, k = key, b = body) => ({
    'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
    'webhook-timestamp': String(ts),
    'webhook-signature': `v1,${sign(k, 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W', ts, b)}`,
  });

  it('accepts a v1 signature, also among several (rotation)', () => {
    expect(verify(body, headers(), [secret], NOW)).toMatchObject({ ok: true, deliveryId: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' });
    const other = randomBytes(32);
    const h = headers(NOW_S, other);
    h['webhook-signature'] = `v1a,ignored ${h['webhook-signature']} v1,${sign(key, h['webhook-id'], NOW_S, body)}`;
    expect(verify(body, h, [secret], NOW).ok).toBe(true);
    expect(verify(body, headers(NOW_S, other), [secret, `whsec_${other.toString('base64')}`], NOW).ok).toBe(true);
  });
  it('refuses tampered bodies, wrong secrets, stale timestamps and missing headers', () => {
    expectReason(verify(Buffer.from(body.toString().replace('c1', 'c2')), headers(), [secret], NOW), 'bad_signature');
    expectReason(verify(body, headers(NOW_S, randomBytes(32)), [secret], NOW), 'bad_signature');
    expectReason(verify(body, headers(NOW_S - 301), [secret], NOW), 'stale_timestamp');
    expectReason(verify(body, headers(NOW_S + 301), [secret], NOW), 'stale_timestamp');
    const { 'webhook-id': _i, ...noId } = headers();
    expectReason(verify(body, noId, [secret], NOW), 'missing_id');
    const { 'webhook-signature': _s, ...noSig } = headers();
    expectReason(verify(body, noSig, [secret], NOW), 'missing_signature');
  });
});
