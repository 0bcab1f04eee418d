import { TributaryError } from '../../../domain/errors.ts';
import type { WebhookDelivery, WebhookEvent } from '../../../domain/webhook.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { StoredWebhookRegistration, WebhookIntakeOutcome, WebhookRepository } from '../../../ports/store.ts';
import { docId, expiryFields, fromDoc, pageQuery, toDoc, top, withPatch } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';

/**
 * Webhook registrations and intake events (`webhooks`) and the delivery audit
 * (`webhook-audit`, 30 days by TTL) on Cosmos DB, partitioned by tenant. The replay key
 * (registration, delivery id) is a document of its own in the audit's partition, whose
 * id is the key: the first delivery creates it, a second finds it (the SQL stores' UNIQUE
 * index). It expires with its audit row. Registrations' `expiresAt` is when a watch
 * channel needs renewing, not a TTL: they carry no `ttl`. `recordDeliveries` ignores
 * `enqueue` (the queue is not in this database) and answers `enqueued: false`.
 */

const REGISTRATION = 'webhook';
const EVENT = 'event';
const AUDIT = 'delivery';
const REPLAY_KEY = 'dlvkey';
const FLAG = /^[A-Za-z][A-Za-z0-9]*$/;

type AuditRow = WebhookDelivery & { readonly claimedDeliveryId: string | null };

function auditDoc(row: AuditRow & { eventId?: string | null }, clock: Clock): Doc {
  return toDoc(AUDIT, row.tenantId, row.id, row, expiryFields(row.expiresAt, clock));
}

function toAudit(doc: Doc): AuditRow {
  const { eventId: _eventId, ...row } = fromDoc<AuditRow & { eventId?: string | null }>(doc);
  return row;
}

const readRegistration = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('webhooks', tenantId, docId(REGISTRATION, id));

export function cosmosWebhooks(runner: UnitRunner, clock: Clock): WebhookRepository {
  return {
    insert: (registration) => runner.run(async (unit) => unit.create('webhooks', toDoc(REGISTRATION, registration.tenantId, registration.id, registration))),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readRegistration(unit, tenantId, id);
        return doc ? fromDoc<StoredWebhookRegistration>(doc) : null;
      }),
    find: (id) =>
      runner.run(async (unit) => {
        // The intake knows only the id: one cross-partition query (the receiver caches the answer).
        const docs = await unit.query<Doc>('webhooks', 'SELECT * FROM c WHERE c.docKind = @kind AND c.id = @id', { kind: REGISTRATION, id: docId(REGISTRATION, id) });
        return docs[0] ? fromDoc<StoredWebhookRegistration>(docs[0]) : null;
      }),
    list: (tenantId, page = {}) =>
      runner.run((unit) =>
        pageQuery(
          unit,
          'webhooks',
          { kind: REGISTRATION, pk: tenantId, sort: 'createdAt', ...(page.connectionId === undefined ? {} : { where: ['c.connectionId = @connectionId'], parameters: { connectionId: page.connectionId } }) },
          page,
          (doc) => fromDoc<StoredWebhookRegistration>(doc),
        ),
      ),
    update: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await readRegistration(unit, tenantId, id);
        if (!doc) return null;
        const current = fromDoc<StoredWebhookRegistration>(doc);
        const { config, ...rest } = patch;
        // One-time claims (config.once) survive any config written later (see the port).
        const once = current.config.once;
        const nextConfig = config === undefined ? current.config : { ...config, ...(once === undefined ? {} : { once }) };
        const registration = withPatch(current, rest, { updatedAt, config: nextConfig });
        unit.put('webhooks', toDoc(REGISTRATION, tenantId, id, registration));
        return registration;
      }),
    delete: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readRegistration(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('webhooks', tenantId, doc.id);
        return true;
      }),
    claimConfigFlag: (tenantId, id, flag, at) =>
      runner.run(async (unit) => {
        if (!FLAG.test(flag)) throw new TributaryError('INTERNAL', `Not a plain config flag name: ${flag}`);
        const doc = await readRegistration(unit, tenantId, id);
        if (!doc) return false;
        const current = fromDoc<StoredWebhookRegistration>(doc);
        const once = (current.config.once ?? {}) as Record<string, unknown>;
        if (once[flag] !== undefined) return false;
        // The ETag check makes this one atomic claim: of two claimers, the second runs again and finds it set.
        unit.put('webhooks', toDoc(REGISTRATION, tenantId, id, { ...current, updatedAt: at, config: { ...current.config, once: { ...once, [flag]: at } } }));
        return true;
      }),
    listExpiring: (before, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'webhooks',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND IS_STRING(c.expiresAt) AND c.expiresAt < @before ORDER BY c.expiresAt ASC, c.id ASC`,
          { kind: REGISTRATION, before },
        );
        return docs.map((doc) => fromDoc<StoredWebhookRegistration>(doc));
      }),
    recordDeliveries: (records) =>
      runner.run(async (unit) => {
        const outcomes: WebhookIntakeOutcome[] = [];
        for (const r of records) {
          const keyId = r.deliveryId === null ? null : docId(REPLAY_KEY, `${r.registrationId}|${r.deliveryId}`);
          const taken = keyId === null ? null : await unit.get('webhook-audit', r.tenantId, keyId);
          const base = { id: r.auditId, registrationId: r.registrationId, tenantId: r.tenantId, receivedAt: r.receivedAt, verified: true, detail: null, expiresAt: r.auditExpiresAt };
          if (taken) {
            unit.create('webhook-audit', auditDoc({ ...base, deliveryId: null, claimedDeliveryId: r.deliveryId, outcome: 'duplicate' }, clock));
            const eventId = (taken.eventId as string | null) ?? null;
            const earlier = eventId === null ? null : await unit.get('webhooks', r.tenantId, docId(EVENT, eventId));
            outcomes.push({ stored: false, eventId: earlier ? eventId : null, eventStatus: earlier ? (earlier.status as WebhookEvent['status']) : null, enqueued: false });
            continue;
          }
          if (keyId !== null) {
            unit.create('webhook-audit', { ...toDoc(REPLAY_KEY, r.tenantId, '', { eventId: r.eventId }, expiryFields(r.auditExpiresAt, clock)), id: keyId });
          }
          unit.create('webhook-audit', auditDoc({ ...base, deliveryId: r.deliveryId, claimedDeliveryId: null, outcome: 'accepted', eventId: r.eventId }, clock));
          if (r.eventId !== null) {
            const event: WebhookEvent = {
              id: r.eventId, registrationId: r.registrationId, tenantId: r.tenantId, deliveryId: r.deliveryId, eventType: r.eventType,
              payload: JSON.parse(r.payloadJson) as Record<string, unknown>, receivedAt: r.receivedAt, status: 'pending', attempts: 0, processedAt: null, error: null, expiresAt: null,
            };
            unit.create('webhooks', toDoc(EVENT, r.tenantId, r.eventId, event, expiryFields(null, clock)));
          }
          outcomes.push({ stored: true, enqueued: false });
        }
        return outcomes;
      }),
    appendAudit: (rows) =>
      runner.run(async (unit) => {
        // Unverified rows never hold the replay key (deliveryId): only the claim is kept.
        for (const r of rows) unit.create('webhook-audit', auditDoc({ ...r, deliveryId: r.verified ? r.deliveryId : null }, clock));
      }),
    recentDeliveries: (tenantId, registrationId, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'webhook-audit',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.registrationId = @registrationId ORDER BY c.receivedAt DESC, c.id DESC`,
          { kind: AUDIT, registrationId },
          tenantId,
        );
        return docs.map(toAudit);
      }),
    listDeliveries: (tenantId, registrationId, filter = {}) =>
      runner.run((unit) => {
        const where = ['c.registrationId = @registrationId'];
        const parameters: Record<string, unknown> = { registrationId };
        const add = (clause: string, name: string, value: string | undefined): void => {
          if (value === undefined) return;
          where.push(clause);
          parameters[name] = value;
        };
        add('c.outcome = @outcome', 'outcome', filter.outcome);
        add('c.receivedAt >= @since', 'since', filter.since);
        add('c.receivedAt < @until', 'until', filter.until);
        // Replay-key documents share the container; the `delivery` kind leaves them out.
        return pageQuery(unit, 'webhook-audit', { kind: AUDIT, pk: tenantId, where, parameters, sort: 'receivedAt', descending: true }, filter, toAudit);
      }),
    deliveryEvent: (tenantId, registrationId, auditId) =>
      runner.run(async (unit) => {
        const doc = await unit.get('webhook-audit', tenantId, docId(AUDIT, auditId));
        if (!doc || doc.registrationId !== registrationId) return null;
        return { eventId: typeof doc.eventId === 'string' ? doc.eventId : null };
      }),
    getEvent: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await unit.get('webhooks', tenantId, docId(EVENT, id));
        return doc ? fromDoc<WebhookEvent>(doc) : null;
      }),
    updateEvent: (tenantId, id, patch) =>
      runner.run(async (unit) => {
        const doc = await unit.get('webhooks', tenantId, docId(EVENT, id));
        if (!doc) return false;
        const event = withPatch(fromDoc<WebhookEvent>(doc), patch);
        unit.put('webhooks', toDoc(EVENT, tenantId, id, event, expiryFields(event.expiresAt, clock)));
        return true;
      }),
    listPendingEvents: (before, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'webhooks',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND (c.status = 'pending' OR c.status = 'processing') AND c.receivedAt < @before ORDER BY c.receivedAt ASC, c.id ASC`,
          { kind: EVENT, before },
        );
        return docs.map((doc) => fromDoc<WebhookEvent>(doc));
      }),
  };
}
