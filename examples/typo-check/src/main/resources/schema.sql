-- The app's own tables; run at start by Spring Boot (spring.sql.init.mode=always), on SQLite
-- locally and PostgreSQL on Heroku alike. Times are epoch milliseconds.
CREATE TABLE IF NOT EXISTS commits (
  repo TEXT NOT NULL,
  sha TEXT NOT NULL,
  message TEXT NOT NULL,
  author TEXT NOT NULL,
  url TEXT,
  received_at BIGINT NOT NULL,
  position INTEGER NOT NULL, -- in its push, oldest first
  job_id BIGINT,
  analyzed_at BIGINT,
  analyzed_by TEXT,
  lines_checked INTEGER,
  PRIMARY KEY (repo, sha)
);

CREATE TABLE IF NOT EXISTS findings (
  repo TEXT NOT NULL,
  sha TEXT NOT NULL,
  path TEXT NOT NULL,
  line INTEGER NOT NULL,
  col INTEGER NOT NULL,
  word TEXT NOT NULL,
  suggestion TEXT NOT NULL,
  PRIMARY KEY (repo, sha, path, line, col)
);
