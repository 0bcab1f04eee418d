-- 011_run_fence: the highest fencing token (the per-integration sync lease's) a run was
-- written under. A worker whose lease lapsed while it was paused carries a lower token,
-- and its writes to the run (status, progress with the page and cursor, finish) are
-- refused, so it cannot regress a run another worker has taken over or finished.

ALTER TABLE sync_runs ADD COLUMN fence BIGINT NOT NULL DEFAULT 0;

