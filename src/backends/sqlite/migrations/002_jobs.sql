-- 002_jobs: tables of the embedded durable job queue (src/backends/sqlite/job-queue.ts).
--
-- jobs: one row per job that is not finished. A completed job is deleted; a job that
-- failed for good moves to job_dead_letters. `state` and `run_at` together say where a
-- job is:
--   ready    visible to consumers; run_at = when it became ready (the FIFO key)
--   delayed  waiting for a delay or a retry backoff; run_at = when it becomes ready
--   running  held by a consumer; run_at = when the lease expires
-- so a single index (queue, state, priority, run_at) serves claiming (ready jobs by
-- priority, then oldest first), promoting due delayed jobs and reclaiming expired
-- leases (those two use `priority IN (0, 1, 2)` so that run_at is a range on it).
-- `attempt` counts deliveries that count against max_attempts; `claims` counts every
-- delivery and fences acknowledgements, renewals and releases: a consumer may only
-- touch the row while (seq, id, claims) is still the delivery it holds.
CREATE TABLE jobs (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL,
  queue TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('ready', 'delayed', 'running')),
  priority INTEGER NOT NULL CHECK (priority IN (0, 1, 2)), -- 0 high, 1 normal, 2 low
  run_at INTEGER NOT NULL,                                  -- epoch ms, meaning per state
  payload TEXT NOT NULL,                                    -- JSON
  attempt INTEGER NOT NULL DEFAULT 0,
  claims INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  idempotency_key TEXT,
  correlation_id TEXT,
  enqueued_at INTEGER NOT NULL,
  last_error_code TEXT,
  last_error_message TEXT
);

CREATE INDEX jobs_by_state ON jobs (queue, state, priority, run_at);

-- The idempotency key is held while the job exists (ready, delayed or running) and is
-- free again once the row is deleted (completed or dead-lettered). Enforced here, so it
-- holds across processes sharing the file.
CREATE UNIQUE INDEX jobs_idempotency ON jobs (queue, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Jobs that failed for good, with the failure classified. error_message is sanitised
-- (no stack, credentials redacted) before it is written. Ids are 'dlq_' + 12 hex digits
-- of failed_at + 16 random hex digits, so they sort by failure time and a page cursor
-- (`before` an id) stays valid even when that dead letter was discarded meanwhile.
CREATE TABLE job_dead_letters (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  job_id TEXT NOT NULL,
  queue TEXT NOT NULL,
  priority INTEGER NOT NULL,
  payload TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  idempotency_key TEXT,
  correlation_id TEXT,
  category TEXT NOT NULL CHECK (category IN ('auth', 'rate_limit', 'transient', 'permanent', 'bad_data')),
  error_code TEXT NOT NULL,
  error_message TEXT NOT NULL,
  enqueued_at INTEGER NOT NULL,
  failed_at INTEGER NOT NULL
);

CREATE INDEX job_dead_letters_by_queue ON job_dead_letters (queue, id);
