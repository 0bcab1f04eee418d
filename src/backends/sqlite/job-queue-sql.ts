import type { SqliteDatabase } from './database.ts';

/**
 * The queue's SQL, prepared once per connection. Every statement runs inside
 * `SqliteHandle.exclusive`; the multi-statement steps (claim, settle, dead-letter)
 * run inside one IMMEDIATE transaction opened by the commit loop. Table and index
 * layout: migrations/002_jobs.sql.
 */

/** Priorities as stored: lower runs first. */
export const PRIORITY_RANK = { high: 0, normal: 1, low: 2 } as const;
export const RANK_PRIORITY = ['high', 'normal', 'low'] as const;

export interface ClaimedRow {
  seq: number;
  id: string;
  payload: string;
  priority: 0 | 1 | 2;
  attempt: number;
  claims: number;
  max_attempts: number;
  idempotency_key: string | null;
  correlation_id: string | null;
  enqueued_at: number;
}

export interface DeadLetterRow {
  seq: number;
  id: string;
  job_id: string;
  queue: string;
  priority: 0 | 1 | 2;
  payload: string;
  attempts: number;
  max_attempts: number;
  idempotency_key: string | null;
  correlation_id: string | null;
  category: string;
  error_code: string;
  error_message: string;
  enqueued_at: number;
  failed_at: number;
}

export interface StatsRow {
  queue: string;
  state: 'ready' | 'delayed' | 'running';
  due: 0 | 1;
  count: number;
  oldest: number;
}

/** A delivery's fence: the row may be touched only while all three still match. */
type Fence = [seq: number, id: string, claims: number];

const DEAD_LETTER_COLUMNS = `id, job_id, queue, priority, payload, attempts, max_attempts, idempotency_key,
  correlation_id, category, error_code, error_message, enqueued_at, failed_at`;
/** Sortable by failure time (see 002_jobs.sql); the parameter is failed_at. */
const NEW_DEAD_LETTER_ID = `'dlq_' || printf('%012x', ?) || lower(hex(randomblob(8)))`;
const DUE = `priority IN (0, 1, 2) AND run_at <= ?`;

export function prepareJobQueueSql(db: SqliteDatabase) {
  return {
    insert: db.prepare<[string, string, 'ready' | 'delayed', number, number, string, number, string | null, string | null, number]>(
      `INSERT INTO jobs (id, queue, state, priority, run_at, payload, max_attempts, idempotency_key, correlation_id, enqueued_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (queue, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING`,
    ),
    idByKey: db.prepare<[string, string], { id: string }>(`SELECT id FROM jobs WHERE queue = ? AND idempotency_key = ?`),

    /** Delayed jobs whose time has come become ready; run_at (their due time) stays the FIFO key. */
    promoteDue: db.prepare<[string, number]>(`UPDATE jobs SET state = 'ready' WHERE queue = ? AND state = 'delayed' AND ${DUE}`),
    /** Expired leases with no attempts left go to the dead letters instead of back to ready. */
    deadLetterExpired: db.prepare<[number, string, string, string, number, string, number]>(
      `INSERT INTO job_dead_letters (${DEAD_LETTER_COLUMNS})
       SELECT ${NEW_DEAD_LETTER_ID}, id, queue, priority, payload, attempt, max_attempts, idempotency_key,
              correlation_id, ?, ?, ?, enqueued_at, ?
       FROM jobs WHERE queue = ? AND state = 'running' AND ${DUE} AND attempt >= max_attempts`,
    ),
    deleteExpiredExhausted: db.prepare<[string, number]>(
      `DELETE FROM jobs WHERE queue = ? AND state = 'running' AND ${DUE} AND attempt >= max_attempts`,
    ),
    /** A lease that expired (crashed or hung holder) makes the job ready as of the expiry. */
    reclaimExpired: db.prepare<[string, number]>(`UPDATE jobs SET state = 'ready' WHERE queue = ? AND state = 'running' AND ${DUE}`),
    /** Read-only: is there anything to claim, promote or reclaim in this queue? */
    probe: db.prepare<[string, string, number], { work: 0 | 1 }>(
      `SELECT EXISTS (SELECT 1 FROM jobs WHERE queue = ? AND state = 'ready')
           OR EXISTS (SELECT 1 FROM jobs WHERE queue = ? AND state IN ('delayed', 'running')
                      AND priority IN (0, 1, 2) AND run_at <= ?) AS work`,
    ),
    /** Highest priority first, then oldest ready first; the subquery walks jobs_by_state in order. */
    claim: db.prepare<[number, string, number], ClaimedRow>(
      `UPDATE jobs SET state = 'running', attempt = attempt + 1, claims = claims + 1, run_at = ?
       WHERE seq IN (SELECT seq FROM jobs WHERE queue = ? AND state = 'ready' ORDER BY priority, run_at LIMIT ?)
       RETURNING seq, id, payload, priority, attempt, claims, max_attempts, idempotency_key, correlation_id, enqueued_at`,
    ),

    complete: db.prepare<Fence>(`DELETE FROM jobs WHERE seq = ? AND id = ? AND claims = ?`),
    retry: db.prepare<['ready' | 'delayed', number, string, string, ...Fence]>(
      `UPDATE jobs SET state = ?, run_at = ?, last_error_code = ?, last_error_message = ?
       WHERE seq = ? AND id = ? AND claims = ?`,
    ),
    deadLetter: db.prepare<[number, string, string, string, number, ...Fence]>(
      `INSERT INTO job_dead_letters (${DEAD_LETTER_COLUMNS})
       SELECT ${NEW_DEAD_LETTER_ID}, id, queue, priority, payload, attempt, max_attempts, idempotency_key,
              correlation_id, ?, ?, ?, enqueued_at, ?
       FROM jobs WHERE seq = ? AND id = ? AND claims = ?`,
    ),
    renew: db.prepare<[number, ...Fence]>(
      `UPDATE jobs SET run_at = ? WHERE seq = ? AND id = ? AND claims = ? AND state = 'running'`,
    ),
    /** A graceful release does not use up an attempt: the job did not fail. */
    release: db.prepare<[number, ...Fence]>(
      `UPDATE jobs SET state = 'ready', run_at = ?, attempt = attempt - 1
       WHERE seq = ? AND id = ? AND claims = ? AND state = 'running'`,
    ),

    stats: db.prepare<[number], StatsRow>(
      `SELECT queue, state, run_at <= ? AS due, COUNT(*) AS count, MIN(run_at) AS oldest
       FROM jobs GROUP BY queue, state, due`,
    ),
    deadLetterCounts: db.prepare<[], { queue: string; count: number }>(
      `SELECT queue, COUNT(*) AS count FROM job_dead_letters GROUP BY queue`,
    ),
    /** Newest first; pass '~' (sorts after every id) for the first page. */
    listDeadLetters: db.prepare<[string, string, number], DeadLetterRow>(
      `SELECT * FROM job_dead_letters WHERE queue = ? AND id < ? ORDER BY id DESC LIMIT ?`,
    ),
    deadLetterById: db.prepare<[string], DeadLetterRow>(`SELECT * FROM job_dead_letters WHERE id = ?`),
    deleteDeadLetter: db.prepare<[string]>(`DELETE FROM job_dead_letters WHERE id = ?`),
  };
}

export type JobQueueSql = ReturnType<typeof prepareJobQueueSql>;
