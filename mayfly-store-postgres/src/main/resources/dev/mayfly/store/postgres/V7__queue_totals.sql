-- The overview's count of succeeded jobs, without counting them. Each runner counts its own
-- successes as it records them, in its own row, so no row is written by every runner. The hourly
-- prune folds the counts of runners that have ended into one total per queue. A queue's succeeded
-- jobs are its total plus the counts of its runners not yet folded: a read of a few rows, however
-- many jobs are kept.
ALTER TABLE mayfly_runners ADD COLUMN succeeded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE mayfly_runners ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
CREATE TABLE mayfly_queue_totals (
  queue     TEXT PRIMARY KEY,
  succeeded BIGINT NOT NULL
);
UPDATE mayfly_runners SET succeeded = c.n
  FROM (SELECT runner_id, count(*) AS n FROM mayfly_jobs WHERE state = 'succeeded' GROUP BY runner_id) AS c
  WHERE c.runner_id = mayfly_runners.id;
INSERT INTO mayfly_queue_totals (queue, succeeded)
  SELECT queue, count(*) FROM mayfly_jobs j WHERE state = 'succeeded'
  AND NOT EXISTS (SELECT 1 FROM mayfly_runners r WHERE r.id = j.runner_id) GROUP BY queue;
CREATE INDEX mayfly_runners_unfolded ON mayfly_runners (queue) WHERE folded = 0;
