-- Mayfly schema version 1 (PostgreSQL). The same tables as on SQLite; times are epoch
-- milliseconds (UTC) so both stores share their statements.
CREATE TABLE mayfly_jobs (
  id               BIGSERIAL PRIMARY KEY,
  type             TEXT     NOT NULL,
  queue            TEXT     NOT NULL,
  args             TEXT     NOT NULL,
  state            TEXT     NOT NULL,
  priority         INTEGER  NOT NULL DEFAULT 0,
  run_at           BIGINT   NOT NULL,
  timeout_ms       BIGINT   NOT NULL,
  attempts         INTEGER  NOT NULL DEFAULT 0,
  max_attempts     INTEGER  NOT NULL DEFAULT 1,
  runner_id        TEXT,
  lease_until      BIGINT,
  cancel_requested INTEGER  NOT NULL DEFAULT 0,
  enqueued_at      BIGINT   NOT NULL,
  started_at       BIGINT,
  finished_at      BIGINT,
  error            TEXT
);
-- Claims walk this partial index in order and stop at the first unlocked match: its size is the
-- number of queued jobs, so claim cost stays flat however many finished jobs pile up.
CREATE INDEX mayfly_jobs_ready ON mayfly_jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX mayfly_jobs_running ON mayfly_jobs (runner_id) WHERE state = 'running';
-- Succeeded jobs, the bulk, stay out of it: finding them is a scan of the newest ids anyway.
CREATE INDEX mayfly_jobs_state ON mayfly_jobs (state, queue) WHERE state <> 'succeeded';
CREATE INDEX mayfly_jobs_finished ON mayfly_jobs (finished_at) WHERE finished_at IS NOT NULL;

CREATE TABLE mayfly_attempts (
  job_id      BIGINT  NOT NULL,
  attempt     INTEGER NOT NULL,
  runner_id   TEXT    NOT NULL,
  started_at  BIGINT  NOT NULL,
  finished_at BIGINT,
  outcome     TEXT    NOT NULL,
  error       TEXT,
  PRIMARY KEY (job_id, attempt)
);

CREATE TABLE mayfly_job_log (
  id      BIGSERIAL PRIMARY KEY,
  job_id  BIGINT  NOT NULL,
  attempt INTEGER NOT NULL,
  at      BIGINT  NOT NULL,
  level   TEXT    NOT NULL,
  message TEXT    NOT NULL
);
CREATE INDEX mayfly_job_log_job ON mayfly_job_log (job_id, id);

CREATE TABLE mayfly_runners (
  id           TEXT PRIMARY KEY,
  queue        TEXT    NOT NULL,
  launcher     TEXT    NOT NULL,
  size         TEXT,
  platform_id  TEXT,
  state        TEXT    NOT NULL,
  launched_at  BIGINT  NOT NULL,
  started_at   BIGINT,
  heartbeat_at BIGINT,
  exited_at    BIGINT,
  exit_code    INTEGER,
  jobs_run     INTEGER NOT NULL DEFAULT 0,
  error        TEXT
);
CREATE INDEX mayfly_runners_alive ON mayfly_runners (queue) WHERE state IN ('launching', 'running');
CREATE INDEX mayfly_runners_launched ON mayfly_runners (launched_at);

CREATE TABLE mayfly_runner_output (
  id        BIGSERIAL PRIMARY KEY,
  runner_id TEXT    NOT NULL,
  at        BIGINT  NOT NULL,
  level     TEXT    NOT NULL,
  line      TEXT    NOT NULL
);
CREATE INDEX mayfly_runner_output_runner ON mayfly_runner_output (runner_id, id);
