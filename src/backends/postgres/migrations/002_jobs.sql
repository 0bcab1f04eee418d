-- 002_jobs: tables of the embedded durable job queue (src/backends/sqlite/job-queue.ts).
-- (PostgreSQL port of the SQLite migration with the same number and name; dialect only.)
-- In cluster mode BullMQ replaces the embedded queue: nothing uses these tables on PostgreSQL. They are
-- created anyway so that schema_migrations versions line up on both backends.
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
  seq BIGSERIAL PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL,
  queue TEXT COLLATE "C" NOT NULL,
  state TEXT COLLATE "C" NOT NULL CHECK (state IN ('ready', 'delayed', 'running')),
  priority INTEGER NOT NULL CHECK (priority IN (0, 1, 2)), -- 0 high, 1 normal, 2 low
  run_at BIGINT NOT NULL,                                  -- epoch ms, meaning per state
  payload TEXT NOT NULL,                                     -- JSON text, as the queue wrote it
  attempt INTEGER NOT NULL DEFAULT 0,
  claims INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  idempotency_key TEXT COLLATE "C",
  correlation_id TEXT COLLATE "C",
  enqueued_at BIGINT NOT NULL,
  last_error_code TEXT COLLATE "C",
  last_error_message TEXT COLLATE "C"
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
  seq BIGSERIAL PRIMARY KEY,
  id TEXT COLLATE "C" NOT NULL UNIQUE,
  job_id TEXT COLLATE "C" NOT NULL,
  queue TEXT COLLATE "C" NOT NULL,
  priority INTEGER NOT NULL,
  payload TEXT COLLATE "C" NOT NULL,
  attempts INTEGER NOT NULL,
  max_attempts INTEGER NOT NULL,
  idempotency_key TEXT COLLATE "C",
  correlation_id TEXT COLLATE "C",
  category TEXT COLLATE "C" NOT NULL CHECK (category IN ('auth', 'rate_limit', 'transient', 'permanent', 'bad_data')),
  error_code TEXT COLLATE "C" NOT NULL,
  error_message TEXT COLLATE "C" NOT NULL,
  enqueued_at BIGINT NOT NULL,
  failed_at BIGINT NOT NULL
);

CREATE INDEX job_dead_letters_by_queue ON job_dead_letters (queue, id);
