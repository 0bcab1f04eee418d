/**
 * Salesforce Outbound Messages (SOAP 1.1 `notifications`; providers.md §4 Push).
 *
 * Nothing is signed: the receiver checks `OrganizationId` against the org the
 * connection belongs to (`secrets` holds the expected org id(s), 15 or 18 characters;
 * the first 15 are compared, case-sensitively, in constant time) and must answer
 * `<Ack>true</Ack>` or Salesforce retries for up to 24 hours. The delivery id is the
 * list of notification ids (the same on a retry). The envelope is read with anchored
 * regular expressions over a size-limited body: no XML parser, no entity expansion.
 */
import { timingSafeEqual } from 'node:crypto';

export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

export interface SalesforceNotification {
  readonly id: string;
  /** The sObject type (`Contact`). */
  readonly object: string;
  readonly recordId: string;
  readonly fields: Record<string, string>;
}

export interface SalesforceWebhookEvent {
  readonly type: 'outbound_message';
  readonly payload: { readonly organizationId: string; readonly actionId: string | null; readonly notifications: SalesforceNotification[] };
  readonly reply: { readonly contentType: string; readonly body: string };
}

export type SalesforceVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: SalesforceWebhookEvent }
  | { readonly ok: false; readonly reason: string };

/** The acknowledgement Salesforce waits for. */
export const SALESFORCE_ACK =
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">' +
  '<soapenv:Body><notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>' +
  '</soapenv:Body></soapenv:Envelope>';

const ORG_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

function tag(xml: string, name: string): string | null {
  const match = new RegExp(`<(?:\\w+:)?${name}(?:\\s[^>]*)?>([^<]*)</(?:\\w+:)?${name}>`).exec(xml);
  return match?.[1] === undefined ? null : unescapeXml(match[1].trim());
}

function unescapeXml(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
}

function notifications(xml: string): SalesforceNotification[] | null {
  const found: SalesforceNotification[] = [];
  const blocks = xml.match(/<(?:\w+:)?Notification>[\s\S]*?<\/(?:\w+:)?Notification>/g) ?? [];
  for (const block of blocks) {
    const id = tag(block, 'Id');
    const object = /<(?:\w+:)?sObject\b[^>]*\btype="(?:\w+:)?(\w+)"/.exec(block)?.[1];
    const sobject = /<(?:\w+:)?sObject\b[^>]*>([\s\S]*)<\/(?:\w+:)?sObject>/.exec(block)?.[1] ?? '';
    const fields: Record<string, string> = {};
    for (const match of sobject.matchAll(/<(?:\w+:)?(\w+)>([^<]*)<\/(?:\w+:)?\1>/g)) {
      if (match[1] !== undefined && match[2] !== undefined) fields[match[1]] = unescapeXml(match[2]);
    }
    const recordId = fields['Id'];
    if (id === null || object === undefined || recordId === undefined) return null;
    found.push({ id, object, recordId, fields });
  }
  return found.length > 0 ? found : null;
}

/**
 * Checks an outbound message's organisation against `secrets`. Reasons:
 * `malformed_body` (not a notifications envelope), `no_secret`, `wrong_organization`.
 * `headers` and `now` are unused (nothing is signed or timed).
 */
export function verifySalesforceWebhook(rawBody: Buffer, _headers: WebhookHeaders, secrets: readonly string[], _now: number): SalesforceVerification {
  const xml = rawBody.toString('utf8');
  if (!/<(?:\w+:)?Envelope\b/.test(xml) || !/<(?:\w+:)?notifications\b/.test(xml)) return { ok: false, reason: 'malformed_body' };
  const organizationId = tag(xml, 'OrganizationId');
  if (organizationId === null || !ORG_ID.test(organizationId)) return { ok: false, reason: 'malformed_body' };
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = Buffer.from(organizationId.slice(0, 15), 'utf8');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(secret.slice(0, 15), 'utf8');
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'wrong_organization' };
  const list = notifications(xml);
  if (list === null) return { ok: false, reason: 'malformed_body' };
  return {
    ok: true,
    deliveryId: list.map((n) => n.id).sort().join(','),
    event: {
      type: 'outbound_message',
      payload: { organizationId, actionId: tag(xml, 'ActionId'), notifications: list },
      reply: { contentType: 'text/xml; charset=utf-8', body: SALESFORCE_ACK },
    },
  };
}

export type SalesforceWebhookWork = { readonly kind: 'records'; readonly records: { object: string; id: string }[] };

/** Each notification names a record to fetch (outbound messages never report deletions). */
export function salesforceWebhookWork(event: { readonly payload: { readonly notifications: readonly SalesforceNotification[] } }): SalesforceWebhookWork {
  return { kind: 'records', records: event.payload.notifications.map((n) => ({ object: n.object, id: n.recordId })) };
}
