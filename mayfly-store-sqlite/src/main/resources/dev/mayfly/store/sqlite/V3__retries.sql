-- A job whose attempt failed waits in state 'failed' until its retry time: claims take it then.
DROP INDEX mayfly_jobs_ready;
CREATE INDEX mayfly_jobs_ready ON mayfly_jobs (queue, priority DESC, run_at, id) WHERE state IN ('queued', 'failed');
