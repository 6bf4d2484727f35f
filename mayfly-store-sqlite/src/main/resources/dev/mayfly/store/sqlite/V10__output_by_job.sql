-- What a job prints is stored once, in its runner's output, tagged with the attempt that printed it:
-- the job's log reads it from there. The runner's own lines have no job.
ALTER TABLE mayfly_runner_output ADD COLUMN job_id INTEGER;
ALTER TABLE mayfly_runner_output ADD COLUMN attempt INTEGER;
CREATE INDEX mayfly_runner_output_job ON mayfly_runner_output (job_id) WHERE job_id IS NOT NULL;
