import { describe, expect, it } from 'vitest';
import { fromCredentialEvent, fromRateLimitEvent, rateLimitSink } from './adapters.ts';
import { NOTIFICATION_EVENT_TYPES, type NotificationEvent } from './events.ts';
import { actionOf, adminLink, eventLink, titleOf, type Notice } from './message.ts';
import { renderSlack } from './render-slack.ts';
import { renderTeams } from './render-teams.ts';

const AT = Date.UTC(2026, 0, 5, 9, 30, 0);
const URL_BASE = 'https://tributary.example.com';

function eventOf(type: NotificationEvent['type']): NotificationEvent {
  return { type, tenantId: 'ten_1', severity: 'warning', subject: { kind: 'integration', id: 'int_42', name: 'CRM <prod>' }, at: AT, facts: { provider: 'salesforce', failed: 7, note: null } };
}

describe('renderSlack', () => {
  it.each(NOTIFICATION_EVENT_TYPES)('%s: says what happened, to which integration, what to do, and links to the admin UI', (type) => {
    const message = renderSlack({ kind: 'event', event: eventOf(type) }, URL_BASE);
    expect(message.text).toBe(`⚠️ ${titleOf(type)}: integration CRM <prod> (int_42)`);
    expect(message.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: `⚠️ ${titleOf(type)}` } });
    const json = JSON.stringify(message.blocks);
    expect(json).toContain('CRM &lt;prod&gt; (int_42)');
    expect(json).toContain(`*What to do:* ${actionOf(type)}`);
    expect(json).toContain(`"url":"${eventLink(URL_BASE, eventOf(type))}"`);
    expect(json).toContain('*failed*\\n7');
    expect(json).not.toContain('note');
  });

  it('says how many repeats a folded message stands for and since when', () => {
    const message = renderSlack({ kind: 'folded', event: eventOf('sync.failed'), count: 9, since: AT - 600_000 }, URL_BASE);
    expect(message.text).toContain('9 more since 2026-01-05T09:20:00Z');
    expect(JSON.stringify(message.blocks)).toContain('*9 more* since 2026-01-05T09:20:00Z');
  });

  it('lists a digest by count with links', () => {
    const notice: Notice = {
      kind: 'digest',
      ruleName: 'daily',
      from: AT,
      to: AT + 3_600_000,
      entries: [
        { type: 'dedup.reviews_waiting', severity: 'info', subject: { kind: 'integration', id: 'int_1' }, count: 4, firstAt: AT, lastAt: AT + 5 },
        { type: 'sync.failed', severity: 'critical', subject: { kind: 'integration', id: 'int_1' }, count: 1, firstAt: AT, lastAt: AT + 5 },
      ],
    };
    const message = renderSlack(notice, URL_BASE);
    expect(message.text).toBe('Tributary digest (daily): 5 events from 2026-01-05T09:30:00Z to 2026-01-05T10:30:00Z');
    expect(JSON.stringify(message.blocks)).toContain('<https://tributary.example.com/#/dedup|integration int_1>');
    expect(JSON.stringify(message.blocks)).toContain('<https://tributary.example.com/#/integrations/int_1|integration int_1>');
  });
});

describe('renderTeams', () => {
  it.each(NOTIFICATION_EVENT_TYPES)('%s: an Adaptive Card 1.4 message with facts, what to do and an OpenUrl action', (type) => {
    const message = renderTeams({ kind: 'event', event: eventOf(type) }, URL_BASE);
    expect(message.type).toBe('message');
    expect(message.attachments).toHaveLength(1);
    const [attachment] = message.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content;
    expect(card).toMatchObject({ $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({ type: 'TextBlock', text: `⚠️ ${titleOf(type)}`, color: 'Warning' });
    expect(card.body).toContainEqual({ type: 'FactSet', facts: [{ title: 'provider', value: 'salesforce' }, { title: 'failed', value: '7' }] });
    expect(card.body).toContainEqual(expect.objectContaining({ text: `**What to do:** ${actionOf(type)}` }));
    expect(card.actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open in Tributary', url: eventLink(URL_BASE, eventOf(type)) }]);
  });

  it('colours critical events as attention', () => {
    const card = renderTeams({ kind: 'event', event: { ...eventOf('connection.needs_reauth'), severity: 'critical' } }, URL_BASE).attachments[0].content;
    expect(card.body[0]).toMatchObject({ color: 'Attention', text: `🚨 ${titleOf('connection.needs_reauth')}` });
  });
});

describe('adminLink', () => {
  it('points each subject kind at its admin UI page', () => {
    expect(adminLink('https://x.example/', { kind: 'connection', id: 'con_1' })).toBe('https://x.example/#/connections/con_1');
    expect(adminLink('https://x.example', { kind: 'queue', id: 'notifications' })).toBe('https://x.example/#/dead-letters/notifications');
    expect(adminLink('https://x.example', { kind: 'tenant', id: 'ten_1' })).toBe('https://x.example/#/overview');
  });

  it('sends waiting dedup reviews to the review page, other events to their subject', () => {
    expect(eventLink('https://x.example/', { type: 'dedup.reviews_waiting', subject: { kind: 'integration', id: 'int_1' } })).toBe('https://x.example/#/dedup');
    expect(eventLink('https://x.example', { type: 'sync.failed', subject: { kind: 'integration', id: 'int_1' } })).toBe('https://x.example/#/integrations/int_1');
  });
});

describe('adapters', () => {
  it('turns the rate limiter\'s threshold and provider-limited events into tenant events, and drops backend events', () => {
    const threshold = fromRateLimitEvent({
      type: 'ratelimit.threshold', at: AT, threshold: 0.95, level: 'connection', key: 'k', provider: 'slack', tenantId: 'ten_1', connectionId: 'con_1', used: 95, limit: 100, resetsAt: AT + 60_000,
    });
    expect(threshold).toMatchObject({ type: 'ratelimit.threshold', tenantId: 'ten_1', severity: 'critical', subject: { kind: 'connection', id: 'con_1' }, facts: { threshold: '95%', used: 95, limit: 100 } });
    const limited = fromRateLimitEvent({ type: 'ratelimit.provider_limited', at: AT, provider: 'github', tenantId: 'ten_1', connectionId: 'con_2', status: 429, reason: 'secondary_rate_limit', retryAfterMs: 61_000 });
    expect(limited).toMatchObject({ type: 'ratelimit.provider_limited', severity: 'warning', facts: { retryAfterSeconds: 61, status: 429 } });
    expect(fromRateLimitEvent({ type: 'ratelimit.backend_restored', at: AT, backend: 'redis' })).toBeNull();
    expect(fromRateLimitEvent({ type: 'ratelimit.threshold', at: AT, threshold: 0.8, level: 'provider', key: 'k', provider: 'slack', tenantId: null, connectionId: null, used: 8, limit: 10, resetsAt: AT })).toBeNull();
  });

  it('turns the credentials feature\'s needs-reauth event into a critical connection event', () => {
    const event = fromCredentialEvent({ type: 'connection.needs_reauth', tenantId: 'ten_1', connectionId: 'con_1', credentialId: 'cred', provider: 'google', reason: 'invalid_grant', at: new Date(AT).toISOString() });
    expect(event).toEqual({ type: 'connection.needs_reauth', tenantId: 'ten_1', severity: 'critical', subject: { kind: 'connection', id: 'con_1' }, at: AT, facts: { provider: 'google', reason: 'invalid_grant' } });
  });

  it('passes only tenant events through the rate-limit sink adapter', () => {
    const received: NotificationEvent[] = [];
    const sink = rateLimitSink((event) => received.push(event));
    sink({ type: 'ratelimit.backend_degraded', at: AT, backend: 'redis', reason: 'down', share: 0.5 });
    sink({ type: 'ratelimit.provider_limited', at: AT, provider: 'slack', tenantId: 'ten_1', connectionId: 'con_1', status: 429, reason: null, retryAfterMs: 1000 });
    expect(received.map((event) => event.type)).toEqual(['ratelimit.provider_limited']);
  });
});
