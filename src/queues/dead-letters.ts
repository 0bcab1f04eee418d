/**
 * Dead letters for the admin API: list, replay, discard, scoped to a tenant.
 *
 * The JobQueue port lists dead letters per queue, newest first, without a tenant filter
 * (a job's tenant lives in its payload, which no backend indexes). So a tenant's view is
 * the port's pages filtered here: each request reads at most `scanLimit` dead letters
 * (default 2,000) and, when it stops early, returns a cursor where it stopped, so a page
 * may hold fewer than `limit` items while `nextCursor` is set. Cost grows with the dead
 * letters of all tenants, not only the caller's: fine for the thousands a healthy
 * installation keeps; an indexed tenant column in every backend is the next step if not.
 * Acting on one by id finds it the same way (bounded), since the port has no lookup.
 */
import { TributaryError } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Actor, AuditEntry } from '../domain/tenancy.ts';
import type { Clock } from '../ports/clock.ts';
import { QUEUE_NAMES, type DeadLetter, type JobQueue, type QueueName } from '../ports/job-queue.ts';
import type { Store } from '../ports/store.ts';

/** Who acts, under which request: what the audit log records (the runtime's ActionContext fits). */
export interface DeadLetterActionContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

/** Whose dead letters: one tenant's, or (null) every tenant's and system jobs' (admin keys). */
export type DeadLetterScope = { readonly tenantId: string | null };

/** A dead letter as the API shows it: the payload reduced to the ids that say what the job was for. */
export interface DeadLetterView {
  readonly id: string;
  readonly jobId: string;
  readonly queue: QueueName;
  readonly tenantId: string | null;
  /** Ids and the trigger from the payload (integrationId, connectionId, eventId, ...); never other payload fields. */
  readonly subject: Record<string, string>;
  readonly attempts: number;
  readonly category: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly correlationId: string | null;
  readonly enqueuedAt: string;
  readonly failedAt: string;
}

export interface DeadLetterPage {
  readonly items: DeadLetterView[];
  readonly nextCursor: string | null;
}

export interface DeadLetterAdminDeps {
  readonly queue: JobQueue;
  readonly store: Pick<Store, 'audit'>;
  readonly clock: Clock;
  /** Dead letters read per request at most (see above). Default 2,000. */
  readonly scanLimit?: number;
}

/** Payload fields safe to show: ids and the trigger. Payloads may carry anything else (record data, tokens never, but we do not rely on it). */
const SUBJECT_FIELDS = ['integrationId', 'connectionId', 'registrationId', 'eventId', 'runId', 'channelId', 'subscriptionId', 'trigger', 'kind'] as const;
const SAFE_VALUE = /^[\w.:-]{1,100}$/;
const PORT_PAGE = 500;

export class DeadLetterAdmin {
  readonly #deps: DeadLetterAdminDeps;
  readonly #scanLimit: number;

  constructor(deps: DeadLetterAdminDeps) {
    this.#deps = deps;
    this.#scanLimit = deps.scanLimit ?? 2000;
  }

  async list(scope: DeadLetterScope, options: { queue?: QueueName; limit?: number; cursor?: string | null } = {}): Promise<DeadLetterPage> {
    const limit = options.limit ?? 50;
    const queues = options.queue === undefined ? [...QUEUE_NAMES] : [options.queue];
    let position = options.cursor ? decodeCursor(options.cursor, queues) : { queue: 0, before: null as string | null };
    const items: DeadLetterView[] = [];
    let scanned = 0;
    while (position.queue < queues.length && scanned < this.#scanLimit) {
      const want = Math.min(PORT_PAGE, this.#scanLimit - scanned);
      const batch = await this.#deps.queue.listDeadLetters(queues[position.queue]!, { limit: want, ...(position.before ? { before: position.before } : {}) });
      for (const dead of batch) {
        scanned += 1;
        position = { queue: position.queue, before: dead.id };
        if (visible(scope, dead)) items.push(view(dead));
        if (items.length === limit) return { items, nextCursor: encodeCursor(queues, position) };
      }
      if (batch.length < want) position = { queue: position.queue + 1, before: null };
    }
    return { items, nextCursor: position.queue < queues.length ? encodeCursor(queues, position) : null };
  }

  /** Back on its queue as a fresh job; returns the new (or already live) job id. */
  async replay(context: DeadLetterActionContext, scope: DeadLetterScope, id: string): Promise<{ jobId: string; deadLetter: DeadLetterView | null }> {
    const found = await this.#find(scope, id);
    const jobId = await withField(this.#deps.queue.replayDeadLetter(id));
    await this.#audit(context, 'dead_letter.replay', found, id, { jobId });
    return { jobId, deadLetter: found };
  }

  async discard(context: DeadLetterActionContext, scope: DeadLetterScope, id: string): Promise<void> {
    const found = await this.#find(scope, id);
    await withField(this.#deps.queue.discardDeadLetter(id));
    await this.#audit(context, 'dead_letter.discard', found, id, {});
  }

  /**
   * The dead letter, when a scan of at most `scanLimit` × 10 finds it. A tenant acts only
   * on one it can see; an admin also on one beyond the scan (the port then decides).
   */
  async #find(scope: DeadLetterScope, id: string): Promise<DeadLetterView | null> {
    let scanned = 0;
    for (const queue of QUEUE_NAMES) {
      let before: string | null = null;
      while (scanned < this.#scanLimit * 10) {
        const batch: DeadLetter[] = await this.#deps.queue.listDeadLetters(queue, { limit: PORT_PAGE, ...(before ? { before } : {}) });
        scanned += batch.length;
        const hit = batch.find((d) => d.id === id);
        if (hit !== undefined) {
          if (!visible(scope, hit)) throw notFound(id);
          return view(hit);
        }
        if (batch.length < PORT_PAGE) break;
        before = batch[batch.length - 1]!.id;
      }
    }
    if (scope.tenantId === null) return null;
    throw notFound(id);
  }

  async #audit(context: DeadLetterActionContext, action: string, found: DeadLetterView | null, id: string, details: Record<string, unknown>): Promise<void> {
    // The queue and the store may be different systems (BullMQ and PostgreSQL), so the entry follows the action rather than sharing its commit.
    const entry: AuditEntry = {
      id: newId('aud'),
      at: new Date(this.#deps.clock.now()).toISOString(),
      actor: context.actor,
      action,
      tenantId: found?.tenantId ?? null,
      target: id,
      details: { ...(found ? { queue: found.queue, deadJobId: found.jobId, errorCode: found.errorCode, ...found.subject } : {}), ...details },
      requestId: context.requestId,
    };
    await this.#deps.store.audit.append(entry);
  }
}

function visible(scope: DeadLetterScope, dead: DeadLetter): boolean {
  return scope.tenantId === null || tenantOf(dead.payload) === scope.tenantId;
}

function tenantOf(payload: unknown): string | null {
  const value = isRecord(payload) ? payload['tenantId'] : undefined;
  return typeof value === 'string' ? value : null;
}

function view(dead: DeadLetter): DeadLetterView {
  const subject: Record<string, string> = {};
  if (isRecord(dead.payload)) {
    for (const field of SUBJECT_FIELDS) {
      const value = dead.payload[field];
      if (typeof value === 'string' && SAFE_VALUE.test(value)) subject[field] = value;
    }
  }
  return {
    id: dead.id,
    jobId: dead.jobId,
    queue: dead.queue,
    tenantId: tenantOf(dead.payload),
    subject,
    attempts: dead.attempts,
    category: dead.category,
    errorCode: dead.errorCode,
    errorMessage: dead.errorMessage,
    correlationId: dead.correlationId,
    enqueuedAt: new Date(dead.enqueuedAt).toISOString(),
    failedAt: new Date(dead.failedAt).toISOString(),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function notFound(id: string): TributaryError {
  return new TributaryError('NOT_FOUND', `No dead letter ${id}`, { field: 'params.id' });
}

/** The port's NOT_FOUND (gone meanwhile) names the path field too. */
async function withField<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TributaryError && error.code === 'NOT_FOUND') throw new TributaryError('NOT_FOUND', error.message, { field: 'params.id' });
    throw error;
  }
}

/** Opaque cursor: the queue's name and the last dead letter read in it. */
function encodeCursor(queues: readonly QueueName[], position: { queue: number; before: string | null }): string {
  return Buffer.from(JSON.stringify({ q: queues[position.queue], b: position.before })).toString('base64url');
}

function decodeCursor(cursor: string, queues: readonly QueueName[]): { queue: number; before: string | null } {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { q?: unknown; b?: unknown };
    const queue = queues.indexOf(parsed.q as QueueName);
    if (queue >= 0 && (parsed.b === null || typeof parsed.b === 'string')) return { queue, before: parsed.b };
  } catch {
    // fall through to the error below
  }
  throw new TributaryError('VALIDATION_FAILED', 'Invalid cursor', { field: 'querystring.cursor' });
}
