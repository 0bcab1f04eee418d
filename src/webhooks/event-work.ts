/**
 * What a stored event asks of the sync, per scheme: records to fetch (or tombstone), a
 * signal that calls for an incremental run, or nothing. Pure: the providers' own
 * interpretation functions, behind one shape.
 */
import { githubWebhookWork } from '../providers/github/webhooks.ts';
import { googleWebhookWork } from '../providers/google/webhooks.ts';
import { notionWebhookWork } from '../providers/notion/webhooks.ts';
import { salesforceWebhookWork, type SalesforceNotification } from '../providers/salesforce/webhooks.ts';
import { slackWebhookWork } from '../providers/slack/webhooks.ts';
import type { IntakeScheme } from './receiver.ts';

export interface RecordChange {
  readonly object: string;
  readonly id: string;
  readonly deleted: boolean;
}

export type EventWork = { readonly kind: 'records'; readonly changes: RecordChange[] } | { readonly kind: 'signal' } | { readonly kind: 'ignore' };

export function eventWork(scheme: IntakeScheme, type: string, payload: Record<string, unknown>): EventWork {
  const event = { type, payload };
  switch (scheme) {
    case 'github':
    case 'slack': {
      const work = scheme === 'github' ? githubWebhookWork(event) : slackWebhookWork(event);
      return work.kind === 'record' ? { kind: 'records', changes: [{ object: work.object, id: work.id, deleted: work.deleted }] } : { kind: 'ignore' };
    }
    case 'notion': {
      const work = notionWebhookWork(event);
      // Notion objects are named per data source: a page deletion concerns every integration of the connection ('*').
      if (work.kind === 'record') return { kind: 'records', changes: [{ object: '*', id: work.id, deleted: work.deleted }] };
      return work;
    }
    case 'google':
      return googleWebhookWork(event);
    case 'salesforce': {
      const notifications = Array.isArray(payload['notifications']) ? (payload['notifications'] as SalesforceNotification[]) : [];
      const work = salesforceWebhookWork({ payload: { notifications } });
      return { kind: 'records', changes: work.records.map((r) => ({ ...r, deleted: false })) };
    }
    case 'standard':
    case 'pubsub':
      // A generic sender's event, or a Pub/Sub message (Gmail's `{emailAddress, historyId}`,
      // a Workspace event), names no record we know how to fetch: an incremental run.
      return { kind: 'signal' };
  }
}
