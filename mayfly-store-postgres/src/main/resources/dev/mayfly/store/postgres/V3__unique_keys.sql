-- At most one unfinished job per unique key; finished ones keep theirs for the record.
ALTER TABLE mayfly_jobs ADD COLUMN unique_key TEXT;
CREATE UNIQUE INDEX mayfly_jobs_unique ON mayfly_jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('queued', 'running', 'failed');
