-- Pruning finished jobs looks them up by finish time.
CREATE INDEX mayfly_jobs_finished ON mayfly_jobs (finished_at) WHERE finished_at IS NOT NULL;
