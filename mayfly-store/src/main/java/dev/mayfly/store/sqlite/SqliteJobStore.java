package dev.mayfly.store.sqlite;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.Recovered;
import dev.mayfly.store.StoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded store: one SQLite file shared by the app and every runner process.
 *
 * <p>Concurrency. SQLite allows one writer at a time per file; WAL mode lets readers go on while it
 * writes. Every process opens its own connection. Each write here is one {@code BEGIN IMMEDIATE}
 * transaction, which takes the write lock up front: a transaction that started as a reader and then
 * tried to write could fail with SQLITE_BUSY without waiting, while an immediate one waits its turn
 * (up to the busy timeout). Within a process, one connection is shared under a lock.
 *
 * <p>Durability: {@code synchronous=NORMAL} in WAL mode survives a crash of any process; an OS
 * crash or power loss may lose the last transactions (the file stays consistent).
 */
public final class SqliteJobStore implements JobStore {
  private static final int BUSY_TIMEOUT_MILLIS = 30_000;
  private static final String JOB_COLUMNS =
      "id, type, queue, state, priority, attempts, runner_id, enqueued_at, run_at, started_at,"
          + " finished_at, error, args";
  private static final String RUNNER_COLUMNS =
      "id, queue, launcher, platform_id, size, state, launched_at, started_at, exited_at,"
          + " exit_code, jobs_run, error";

  private final Connection connection;
  private final ReentrantLock lock = new ReentrantLock();

  private SqliteJobStore(Connection connection) {
    this.connection = connection;
  }

  public static SqliteJobStore open(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      SQLiteConfig config = new SQLiteConfig();
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
      SqliteJobStore store = new SqliteJobStore(c);
      // Every runner process opens the store: only take the write lock when there is work.
      if (!SqliteMigrations.isCurrent(c)) {
        store.write(() -> SqliteMigrations.migrate(c, file));
      }
      return store;
    } catch (SQLException | java.io.IOException e) {
      throw new StoreException(
          "cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
    }
  }

  // ---- jobs ----------------------------------------------------------------------------------

  @Override
  public long enqueue(NewJob job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  @Override
  public List<Long> enqueueAll(List<NewJob> jobs) {
    return write(
        () -> {
          List<Long> ids = new ArrayList<>(jobs.size());
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "INSERT INTO mayfly_jobs (type, queue, args, state, priority, run_at, timeout_ms,"
                      + " max_attempts, enqueued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)"
                      + " RETURNING id")) {
            for (NewJob j : jobs) {
              ps.setString(1, j.type());
              ps.setString(2, j.queue());
              ps.setString(3, j.args());
              ps.setInt(4, j.priority());
              ps.setLong(5, j.runAt().toEpochMilli());
              ps.setLong(6, j.timeout().toMillis());
              ps.setInt(7, j.maxAttempts());
              ps.setLong(8, j.enqueuedAt().toEpochMilli());
              try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                ids.add(rs.getLong(1));
              }
            }
          }
          return ids;
        });
  }

  @Override
  public Optional<ClaimedJob> claim(
      String queue, String runnerId, Instant now, Duration maxTimeout, Instant leaseUntil) {
    return write(
        () -> {
          // One statement picks and takes the job; the surrounding immediate transaction holds
          // the database's write lock, so no other runner can take the same row in between.
          ClaimedJob claimed;
          try (PreparedStatement ps =
              connection.prepareStatement(
                  "UPDATE mayfly_jobs SET state = 'running', runner_id = ?, attempts = attempts + 1,"
                      + " started_at = ?, lease_until = ?, finished_at = NULL"
                      + " WHERE id = (SELECT id FROM mayfly_jobs WHERE state = 'queued' AND queue = ?"
                      + " AND run_at <= ? AND timeout_ms <= ? ORDER BY priority DESC, run_at, id"
                      + " LIMIT 1)"
                      + " RETURNING id, type, queue, args, attempts, timeout_ms, enqueued_at")) {
            ps.setString(1, runnerId);
            ps.setLong(2, now.toEpochMilli());
            ps.setLong(3, leaseUntil.toEpochMilli());
            ps.setString(4, queue);
            ps.setLong(5, now.toEpochMilli());
            ps.setLong(6, maxTimeout.toMillis());
            try (ResultSet rs = ps.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              claimed =
                  new ClaimedJob(
                      rs.getLong(1),
                      rs.getString(2),
                      rs.getString(3),
                      rs.getString(4),
                      rs.getInt(5),
                      Duration.ofMillis(rs.getLong(6)),
                      Instant.ofEpochMilli(rs.getLong(7)),
                      now);
            }
          }
          update(
              "INSERT OR REPLACE INTO mayfly_attempts (job_id, attempt, runner_id, started_at,"
                  + " outcome) VALUES (?, ?, ?, ?, 'running')",
              claimed.id(),
              claimed.attempt(),
              runnerId,
              now.toEpochMilli());
          return Optional.of(claimed);
        });
  }

  @Override
  public boolean finish(long jobId, String runnerId, Finish finish) {
    return write(
        () -> {
          long at = finish.at().toEpochMilli();
          int changed =
              switch (finish) {
                case Finish.Succeeded s ->
                    update(
                        "UPDATE mayfly_jobs SET state = 'succeeded', finished_at = ?,"
                            + " lease_until = NULL, error = NULL"
                            + " WHERE id = ? AND runner_id = ? AND state = 'running'",
                        at,
                        jobId,
                        runnerId);
                case Finish.Failed f ->
                    update(
                        "UPDATE mayfly_jobs SET state = ?, finished_at = ?, lease_until = NULL,"
                            + " error = ? WHERE id = ? AND runner_id = ? AND state = 'running'",
                        f.dead() ? "dead" : "failed",
                        at,
                        f.error(),
                        jobId,
                        runnerId);
                case Finish.Requeued r ->
                    update(
                        "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, lease_until = NULL,"
                            + " error = ?, attempts = attempts - ?"
                            + " WHERE id = ? AND runner_id = ? AND state = 'running'",
                        r.runAt().toEpochMilli(),
                        r.reason(),
                        r.countsAsAttempt() ? 0 : 1,
                        jobId,
                        runnerId);
                case Finish.Discarded d ->
                    update(
                        "UPDATE mayfly_jobs SET state = 'cancelled', finished_at = ?,"
                            + " lease_until = NULL, error = ?"
                            + " WHERE id = ? AND runner_id = ? AND state = 'running'",
                        at,
                        d.reason(),
                        jobId,
                        runnerId);
              };
          if (changed == 0) {
            return false;
          }
          String outcome =
              switch (finish) {
                case Finish.Succeeded s -> "succeeded";
                case Finish.Failed f -> "failed";
                case Finish.Requeued r -> r.countsAsAttempt() ? "retry" : "snoozed";
                case Finish.Discarded d -> "discarded";
              };
          String error =
              switch (finish) {
                case Finish.Succeeded s -> null;
                case Finish.Failed f -> f.error();
                case Finish.Requeued r -> r.reason();
                case Finish.Discarded d -> d.reason();
              };
          update(
              "UPDATE mayfly_attempts SET finished_at = ?, outcome = ?, error = ?"
                  + " WHERE job_id = ? AND runner_id = ? AND outcome = 'running'",
              at,
              outcome,
              error,
              jobId,
              runnerId);
          update("UPDATE mayfly_runners SET jobs_run = jobs_run + 1 WHERE id = ?", runnerId);
          return true;
        });
  }

  @Override
  public void appendLog(long jobId, int attempt, List<LogLine> lines) {
    insertLines(
        "INSERT INTO mayfly_job_log (job_id, attempt, at, level, message) VALUES (?, ?, ?, ?, ?)",
        lines,
        jobId,
        attempt);
  }

  @Override
  public List<LogLine> jobLog(long jobId) {
    return read(
        () ->
            list(
                "SELECT at, level, message FROM mayfly_job_log WHERE job_id = ? ORDER BY id",
                SqliteJobStore::logLine,
                jobId));
  }

  @Override
  public Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil) {
    return write(
        () -> {
          update(
              "UPDATE mayfly_runners SET heartbeat_at = ? WHERE id = ?",
              now.toEpochMilli(),
              runnerId);
          update(
              "UPDATE mayfly_jobs SET lease_until = ? WHERE runner_id = ? AND state = 'running'",
              leaseUntil.toEpochMilli(),
              runnerId);
          return new HashSet<>(
              list(
                  "SELECT id FROM mayfly_jobs WHERE runner_id = ? AND state = 'running'"
                      + " AND cancel_requested = 1",
                  rs -> rs.getLong(1),
                  runnerId));
        });
  }

  @Override
  public Optional<JobInfo> cancel(long jobId, Instant now) {
    write(
        () -> {
          update(
              "UPDATE mayfly_jobs SET state = 'cancelled', finished_at = ?, error = 'cancelled'"
                  + " WHERE id = ? AND state = 'queued'",
              now.toEpochMilli(),
              jobId);
          update(
              "UPDATE mayfly_jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'",
              jobId);
          return null;
        });
    return job(jobId, now);
  }

  // ---- runners -------------------------------------------------------------------------------

  @Override
  public List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted) {
    return write(
        () -> {
          // Counted and inserted under the write lock: two dispatchers can never both see a free
          // slot and both fill it.
          long alive =
              one(
                  "SELECT count(*) FROM mayfly_runners WHERE queue = ?"
                      + " AND state IN ('launching', 'running')",
                  rs -> rs.getLong(1),
                  runner.queue());
          int n = (int) Math.max(0, Math.min(wanted, maxRunners - alive));
          List<String> ids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            String id = newRunnerId();
            update(
                "INSERT INTO mayfly_runners (id, queue, launcher, size, state, launched_at)"
                    + " VALUES (?, ?, ?, ?, 'launching', ?)",
                id,
                runner.queue(),
                runner.launcher(),
                runner.size(),
                runner.launchedAt().toEpochMilli());
            ids.add(id);
          }
          return ids;
        });
  }

  private static String newRunnerId() {
    String alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    StringBuilder sb = new StringBuilder("r-");
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 10; i++) {
      sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  @Override
  public void runnerLaunched(String runnerId, String platformId) {
    write(
        () ->
            update("UPDATE mayfly_runners SET platform_id = ? WHERE id = ?", platformId, runnerId));
  }

  @Override
  public void runnerLaunchFailed(String runnerId, String error, Instant at) {
    write(
        () ->
            update(
                "UPDATE mayfly_runners SET state = 'failed', error = ?, exited_at = ?"
                    + " WHERE id = ? AND state = 'launching'",
                error,
                at.toEpochMilli(),
                runnerId));
  }

  @Override
  public void runnerStarted(String runnerId, Instant at) {
    write(
        () ->
            update(
                "UPDATE mayfly_runners SET state = 'running', started_at = ?, heartbeat_at = ?"
                    + " WHERE id = ? AND state = 'launching'",
                at.toEpochMilli(),
                at.toEpochMilli(),
                runnerId));
  }

  @Override
  public void runnerExited(String runnerId, Integer exitCode, Instant at) {
    write(
        () -> {
          update(
              "UPDATE mayfly_runners SET"
                  + " state = CASE WHEN state IN ('launching', 'running') THEN 'exited' ELSE state"
                  + " END, exited_at = COALESCE(exited_at, ?), exit_code = COALESCE(?, exit_code)"
                  + " WHERE id = ?",
              at.toEpochMilli(),
              exitCode,
              runnerId);
          // A runner that ended while holding a job (a crash) gives the job back right away
          // instead of waiting for its lease to run out.
          requeueOrphans(at.toEpochMilli(), "AND runner_id = ?", runnerId);
          return null;
        });
  }

  @Override
  public void appendRunnerOutput(String runnerId, List<LogLine> lines) {
    insertLines(
        "INSERT INTO mayfly_runner_output (runner_id, at, level, line) VALUES (?, ?, ?, ?)",
        lines,
        runnerId);
  }

  /** Inserts lines in one batch; {@code keys} come first, then each line's time, level, text. */
  private void insertLines(String sql, List<LogLine> lines, Object... keys) {
    if (lines.isEmpty()) {
      return;
    }
    write(
        () -> {
          try (PreparedStatement ps = connection.prepareStatement(sql)) {
            for (LogLine l : lines) {
              bind(ps, keys);
              ps.setLong(keys.length + 1, l.at().toEpochMilli());
              ps.setString(keys.length + 2, l.level());
              ps.setString(keys.length + 3, l.message());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<LogLine> runnerOutput(String runnerId) {
    return read(
        () ->
            list(
                "SELECT at, level, line FROM mayfly_runner_output WHERE runner_id = ? ORDER BY id",
                SqliteJobStore::logLine,
                runnerId));
  }

  @Override
  public Recovered recover(Instant now, Instant silentSince) {
    return write(
        () -> {
          long nowMs = now.toEpochMilli();
          int lost =
              update(
                  "UPDATE mayfly_runners SET state = 'lost', exited_at = ?,"
                      + " error = 'no sign of life since ' || strftime('%Y-%m-%dT%H:%M:%fZ',"
                      + " COALESCE(heartbeat_at, launched_at) / 1000.0, 'unixepoch')"
                      + " WHERE state IN ('launching', 'running')"
                      + " AND COALESCE(heartbeat_at, launched_at) < ?",
                  nowMs, silentSince.toEpochMilli());
          int requeued =
              requeueOrphans(
                  nowMs,
                  "AND (lease_until < ? OR runner_id IN (SELECT id FROM mayfly_runners"
                      + " WHERE state NOT IN ('launching', 'running')))",
                  nowMs);
          return new Recovered(requeued, lost);
        });
  }

  /**
   * Puts running jobs matching {@code condition} back in the queue, recording their attempts as
   * lost. At-least-once: the lost attempt may have done its work; running it again is the price of
   * never dropping it.
   */
  private int requeueOrphans(long nowMs, String condition, Object... params) throws SQLException {
    List<Long> ids =
        list(
            "SELECT id FROM mayfly_jobs WHERE state = 'running' " + condition,
            rs -> rs.getLong(1),
            params);
    for (long id : ids) {
      update(
          "UPDATE mayfly_attempts SET finished_at = ?, outcome = 'lost',"
              + " error = 'runner ' || runner_id || ' stopped without reporting this attempt'"
              + " WHERE job_id = ? AND outcome = 'running'",
          nowMs,
          id);
      update(
          "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, lease_until = NULL,"
              + " error = 'runner ' || runner_id || ' stopped without reporting; requeued'"
              + " WHERE id = ? AND state = 'running'",
          nowMs,
          id);
    }
    return ids.size();
  }

  // ---- reading -------------------------------------------------------------------------------

  @Override
  public Optional<JobInfo> job(long jobId, Instant now) {
    return read(
        () ->
            Optional.ofNullable(
                one(
                    "SELECT " + JOB_COLUMNS + " FROM mayfly_jobs WHERE id = ?",
                    rs -> jobInfo(rs, now),
                    jobId)));
  }

  @Override
  public List<JobInfo> jobs(JobFilter filter, Instant now) {
    StringBuilder sql = new StringBuilder("SELECT " + JOB_COLUMNS + " FROM mayfly_jobs WHERE 1=1");
    List<Object> params = new ArrayList<>();
    if (filter.state() != null) {
      switch (filter.state()) {
        case QUEUED -> sql.append(" AND state = 'queued' AND run_at <= ?");
        case SCHEDULED -> sql.append(" AND state = 'queued' AND run_at > ?");
        default -> sql.append(" AND state = ?");
      }
      params.add(
          switch (filter.state()) {
            case QUEUED, SCHEDULED -> now.toEpochMilli();
            default -> filter.state().wireName();
          });
    }
    if (filter.queue() != null) {
      sql.append(" AND queue = ?");
      params.add(filter.queue());
    }
    if (filter.type() != null) {
      sql.append(" AND type = ?");
      params.add(filter.type());
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(filter.limit());
    return read(() -> list(sql.toString(), rs -> jobInfo(rs, now), params.toArray()));
  }

  @Override
  public List<AttemptInfo> attempts(long jobId) {
    return read(
        () ->
            list(
                "SELECT job_id, attempt, runner_id, started_at, finished_at, outcome, error"
                    + " FROM mayfly_attempts WHERE job_id = ? ORDER BY attempt",
                rs ->
                    new AttemptInfo(
                        rs.getLong(1),
                        rs.getInt(2),
                        rs.getString(3),
                        instant(rs, 4),
                        instant(rs, 5),
                        rs.getString(6),
                        rs.getString(7)),
                jobId));
  }

  @Override
  public List<RunnerInfo> runners(RunnerFilter filter, Instant now) {
    StringBuilder sql =
        new StringBuilder("SELECT " + RUNNER_COLUMNS + " FROM mayfly_runners WHERE 1=1");
    List<Object> params = new ArrayList<>();
    if (filter.queue() != null) {
      sql.append(" AND queue = ?");
      params.add(filter.queue());
    }
    if (filter.alive() != null) {
      sql.append(
          filter.alive()
              ? " AND state IN ('launching', 'running')"
              : " AND state NOT IN ('launching', 'running')");
    }
    sql.append(" ORDER BY launched_at DESC, id LIMIT ?");
    params.add(filter.limit());
    return read(() -> list(sql.toString(), rs -> runnerInfo(rs, now), params.toArray()));
  }

  @Override
  public Optional<RunnerInfo> runner(String runnerId, Instant now) {
    return read(
        () ->
            Optional.ofNullable(
                one(
                    "SELECT " + RUNNER_COLUMNS + " FROM mayfly_runners WHERE id = ?",
                    rs -> runnerInfo(rs, now),
                    runnerId)));
  }

  @Override
  public List<QueueCounts> counts(Instant now) {
    return read(
        () -> {
          Map<String, long[]> byQueue = new LinkedHashMap<>();
          for (Object[] row :
              list(
                  "SELECT queue, CASE WHEN state = 'queued' AND run_at > ? THEN 'scheduled'"
                      + " ELSE state END AS s, count(*) FROM mayfly_jobs GROUP BY queue, s"
                      + " ORDER BY queue",
                  rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)},
                  now.toEpochMilli())) {
            long[] c = byQueue.computeIfAbsent((String) row[0], q -> new long[8]);
            c[JobState.parse((String) row[1]).ordinal()] += (long) row[2];
          }
          for (Object[] row :
              list(
                  "SELECT queue, count(*) FROM mayfly_runners"
                      + " WHERE state IN ('launching', 'running') GROUP BY queue",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            byQueue.computeIfAbsent((String) row[0], q -> new long[8])[7] = (long) row[1];
          }
          List<QueueCounts> result = new ArrayList<>();
          byQueue.entrySet().stream()
              .sorted(Map.Entry.comparingByKey())
              .forEach(
                  e -> {
                    long[] c = e.getValue();
                    result.add(
                        new QueueCounts(
                            e.getKey(),
                            c[JobState.QUEUED.ordinal()],
                            c[JobState.SCHEDULED.ordinal()],
                            c[JobState.RUNNING.ordinal()],
                            c[JobState.SUCCEEDED.ordinal()],
                            c[JobState.FAILED.ordinal()],
                            c[JobState.DEAD.ordinal()],
                            c[JobState.CANCELLED.ordinal()],
                            (int) c[7]));
                  });
          return result;
        });
  }

  @Override
  public List<QueueDemand> demand(Instant now) {
    return read(
        () -> {
          Map<String, QueueDemand> byQueue = new LinkedHashMap<>();
          for (QueueDemand d :
              list(
                  "SELECT queue, count(*) FROM mayfly_jobs WHERE state = 'queued' AND run_at <= ?"
                      + " GROUP BY queue",
                  rs -> new QueueDemand(rs.getString(1), rs.getLong(2), 0, 0, 0),
                  now.toEpochMilli())) {
            byQueue.put(d.queue(), d);
          }
          for (Object[] row :
              list(
                  "SELECT r.queue, count(*), sum(CASE WHEN EXISTS (SELECT 1 FROM mayfly_jobs j"
                      + " WHERE j.runner_id = r.id AND j.state = 'running') THEN 1 ELSE 0 END),"
                      + " sum(r.jobs_run)"
                      + " FROM mayfly_runners r WHERE r.state IN ('launching', 'running')"
                      + " GROUP BY r.queue",
                  rs ->
                      new Object[] {rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getLong(4)})) {
            String q = (String) row[0];
            long ready = byQueue.containsKey(q) ? byQueue.get(q).ready() : 0;
            byQueue.put(q, new QueueDemand(q, ready, (int) row[1], (int) row[2], (long) row[3]));
          }
          return List.copyOf(byQueue.values());
        });
  }

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing the SQLite store failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  // ---- mapping -------------------------------------------------------------------------------

  private static JobInfo jobInfo(ResultSet rs, Instant now) throws SQLException {
    JobState state = JobState.parse(rs.getString("state"));
    Instant runAt = instant(rs, "run_at");
    if (state == JobState.QUEUED && runAt.isAfter(now)) {
      state = JobState.SCHEDULED;
    }
    return new JobInfo(
        rs.getLong("id"),
        rs.getString("type"),
        rs.getString("queue"),
        state,
        rs.getInt("priority"),
        rs.getInt("attempts"),
        rs.getString("runner_id"),
        instant(rs, "enqueued_at"),
        runAt,
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getString("error"),
        rs.getString("args"));
  }

  private static RunnerInfo runnerInfo(ResultSet rs, Instant now) throws SQLException {
    Instant launched = instant(rs, "launched_at");
    Instant exited = instant(rs, "exited_at");
    long billedMillis = (exited == null ? now : exited).toEpochMilli() - launched.toEpochMilli();
    int exitCode = rs.getInt("exit_code");
    Integer exit = rs.wasNull() ? null : exitCode;
    return new RunnerInfo(
        rs.getString("id"),
        rs.getString("queue"),
        rs.getString("launcher"),
        rs.getString("platform_id"),
        rs.getString("size"),
        RunnerState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        launched,
        instant(rs, "started_at"),
        exited,
        exit,
        rs.getInt("jobs_run"),
        Math.max(0, billedMillis) / 1000.0,
        rs.getString("error"));
  }

  private static LogLine logLine(ResultSet rs) throws SQLException {
    return new LogLine(instant(rs, 1), rs.getString(2), rs.getString(3));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  @FunctionalInterface
  interface SqlWork<T> {
    T run() throws SQLException;
  }

  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs {@code work} in one immediate transaction, retrying if the database stays busy. */
  private <T> T write(SqlWork<T> work) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          connection.setAutoCommit(false);
          try {
            T result = work.run();
            connection.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
        } catch (SQLException e) {
          if (isBusy(e) && attempt < 5) {
            continue; // the busy timeout already waited; another process held the lock longer
          }
          throw new StoreException("SQLite store write failed: " + e.getMessage(), e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private <T> T read(SqlWork<T> work) {
    lock.lock();
    try {
      return work.run();
    } catch (SQLException e) {
      throw new StoreException("SQLite store read failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private static boolean isBusy(SQLException e) {
    return e instanceof SQLiteException se
        && (se.getResultCode() == SQLiteErrorCode.SQLITE_BUSY
            || se.getResultCode().code == SQLiteErrorCode.SQLITE_BUSY.code
            || se.getResultCode() == SQLiteErrorCode.SQLITE_LOCKED);
  }

  private int update(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  private <T> List<T> list(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  private <T> T one(String sql, RowMapper<T> mapper, Object... params) throws SQLException {
    List<T> rows = list(sql, mapper, params);
    return rows.isEmpty() ? null : rows.getFirst();
  }

  private static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }
}
