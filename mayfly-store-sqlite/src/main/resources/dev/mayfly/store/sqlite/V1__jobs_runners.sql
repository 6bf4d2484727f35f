-- Mayfly schema version 1 (SQLite). Times are epoch milliseconds (UTC).
-- A queued job whose run_at is in the future is shown as 'scheduled'; there is no separate state,
-- so nothing has to promote scheduled jobs.
CREATE TABLE mayfly_jobs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  type             TEXT    NOT NULL,
  queue            TEXT    NOT NULL,
  args             TEXT    NOT NULL,
  state            TEXT    NOT NULL,
  priority         INTEGER NOT NULL DEFAULT 0,
  run_at           INTEGER NOT NULL,
  timeout_ms       INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 1,
  runner_id        TEXT,
  lease_until      INTEGER,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  enqueued_at      INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  error            TEXT
);
-- The claim walks this index in order and stops at the first match, however many jobs finished.
CREATE INDEX mayfly_jobs_ready ON mayfly_jobs (queue, priority DESC, run_at, id) WHERE state = 'queued';
CREATE INDEX mayfly_jobs_running ON mayfly_jobs (runner_id) WHERE state = 'running';
CREATE INDEX mayfly_jobs_state ON mayfly_jobs (state, queue);

CREATE TABLE mayfly_attempts (
  job_id      INTEGER NOT NULL,
  attempt     INTEGER NOT NULL,
  runner_id   TEXT    NOT NULL,
  started_at  INTEGER NOT NULL,
  finished_at INTEGER,
  outcome     TEXT    NOT NULL,
  error       TEXT,
  PRIMARY KEY (job_id, attempt)
);

CREATE TABLE mayfly_job_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id  INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  at      INTEGER NOT NULL,
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
  launched_at  INTEGER NOT NULL,
  started_at   INTEGER,
  heartbeat_at INTEGER,
  exited_at    INTEGER,
  exit_code    INTEGER,
  jobs_run     INTEGER NOT NULL DEFAULT 0,
  error        TEXT
);
CREATE INDEX mayfly_runners_alive ON mayfly_runners (queue) WHERE state IN ('launching', 'running');
CREATE INDEX mayfly_runners_launched ON mayfly_runners (launched_at);

CREATE TABLE mayfly_runner_output (
  id        INTEGER PRIMARY KEY AUTOINCREMENT,
  runner_id TEXT    NOT NULL,
  at        INTEGER NOT NULL,
  level     TEXT    NOT NULL,
  line      TEXT    NOT NULL
);
CREATE INDEX mayfly_runner_output_runner ON mayfly_runner_output (runner_id, id);
