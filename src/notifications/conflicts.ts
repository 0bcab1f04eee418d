/**
 * The sync engine's "conflicts waiting for review" as a notification event: a run held
 * fields for a person (strategy `manual`, or a resolver that said so). Warning: the
 * values stay as they are on both sides until someone decides in the conflicts review.
 */
import type { ConflictsWaiting } from '../sync/index.ts';
import type { NotificationEvent, NotificationSink } from './events.ts';

export function fromConflictsWaiting(event: ConflictsWaiting): NotificationEvent {
  return {
    type: 'conflicts.waiting',
    tenantId: event.tenantId,
    severity: 'warning',
    subject: { kind: 'integration', id: event.integrationId },
    at: event.at,
    facts: { conflicts: event.open, runId: event.runId },
  };
}

/** A sink for `runPull`'s `onConflictsWaiting`; never throws into the run. */
export function conflictsWaitingSink(sink: NotificationSink): (event: ConflictsWaiting) => void {
  return (event) => {
    try {
      sink(fromConflictsWaiting(event));
    } catch {
      // A notification must never fail the sync that raised it (the sink records and enqueues only).
    }
  };
}
