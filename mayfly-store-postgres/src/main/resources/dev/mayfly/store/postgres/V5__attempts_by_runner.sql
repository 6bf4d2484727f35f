-- Cost accounting sums each runner's busy time from its attempts.
CREATE INDEX mayfly_attempts_runner ON mayfly_attempts (runner_id);
