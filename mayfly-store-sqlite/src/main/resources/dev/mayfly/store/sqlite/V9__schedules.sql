-- Recurring jobs. A schedule's row says which fire time was handled last (fired or skipped), so
-- firing is a compare-and-set on it: of any number of dispatchers, one handles each time.
CREATE TABLE mayfly_schedules (
  name        TEXT    PRIMARY KEY,
  cron        TEXT    NOT NULL,
  zone        TEXT    NOT NULL,
  job_type    TEXT    NOT NULL,
  args        TEXT    NOT NULL,
  queue       TEXT,
  catch_up    TEXT    NOT NULL,
  overlap     TEXT    NOT NULL,
  paused      INTEGER NOT NULL DEFAULT 0,
  since       INTEGER NOT NULL, -- fire times after this are due: when it was first stored
  last_fire   INTEGER,          -- the last fire time handled
  last_job_id INTEGER,
  fired       INTEGER NOT NULL DEFAULT 0,
  skipped     INTEGER NOT NULL DEFAULT 0
);
