package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Rows.*;
import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.RunnerUsage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link ReadModel} in SQL, the same statements on every database: what the CLI, the dashboard
 * and cost accounting read.
 */
final class JdbcReads implements ReadModel {
  private final Dialect db;

  private static final String JOB_COLUMNS =
      "id, type, queue, state, priority, attempts, runner_id, enqueued_at, run_at, started_at,"
          + " finished_at, error, args";
  private static final String RUNNER_COLUMNS =
      "id, queue, launcher, platform_id, size, state, launched_at, started_at, exited_at,"
          + " exit_code, jobs_run, error";

  JdbcReads(Dialect db) {
    this.db = db;
  }

  @Override
  public Optional<JobInfo> job(long jobId, Instant now) {
    return db.read(
        c ->
            Optional.ofNullable(
                one(
                    c,
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
    if (filter.before() != null) {
      sql.append(" AND id < ?"); // keyset: the primary key index seeks straight to the page
      params.add(filter.before());
    }
    sql.append(" ORDER BY id DESC LIMIT ?");
    params.add(filter.limit());
    return db.read(c -> list(c, sql.toString(), rs -> jobInfo(rs, now), params.toArray()));
  }

  @Override
  public List<AttemptInfo> attempts(long jobId) {
    return db.read(
        c ->
            list(
                c,
                // the ended attempts, and the one running now, whose record is its job's row
                // (a row of an earlier attempt under the same number, given back by a snooze,
                // is shown no more once that number runs again)
                "SELECT job_id, attempt, runner_id, started_at, finished_at, outcome, error"
                    + " FROM mayfly_attempts a WHERE job_id = ? AND NOT EXISTS (SELECT 1 FROM"
                    + " mayfly_jobs j WHERE j.id = a.job_id AND j.state = 'running'"
                    + " AND j.attempts = a.attempt)"
                    + " UNION ALL SELECT id, attempts, runner_id, started_at, NULL, 'running', NULL"
                    + " FROM mayfly_jobs WHERE id = ? AND state = 'running' ORDER BY 2",
                rs ->
                    new AttemptInfo(
                        rs.getLong(1),
                        rs.getInt(2),
                        rs.getString(3),
                        instant(rs, 4),
                        instantOrNull(rs, 5),
                        rs.getString(6),
                        rs.getString(7)),
                jobId,
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
    if (filter.before() != null) {
      // The listing order is (launched_at DESC, id): the cursor runner's place in it.
      String launched = "(SELECT launched_at FROM mayfly_runners WHERE id = ?)";
      sql.append(" AND (launched_at < " + launched)
          .append(" OR (launched_at = " + launched + " AND id > ?))");
      params.addAll(List.of(filter.before(), filter.before(), filter.before()));
    }
    sql.append(" ORDER BY launched_at DESC, id LIMIT ?");
    params.add(filter.limit());
    return db.read(c -> list(c, sql.toString(), rs -> runnerInfo(rs, now), params.toArray()));
  }

  @Override
  public Optional<RunnerInfo> runner(String runnerId, Instant now) {
    return db.read(
        c ->
            Optional.ofNullable(
                one(
                    c,
                    "SELECT " + RUNNER_COLUMNS + " FROM mayfly_runners WHERE id = ?",
                    rs -> runnerInfo(rs, now),
                    runnerId)));
  }

  @Override
  public List<QueueCounts> counts(Instant now) {
    return db.read(
        c -> {
          Map<String, long[]> byQueue = new LinkedHashMap<>();
          // Every state but succeeded, through the state index: as many rows as jobs waiting,
          // running or kept as failed, dead or cancelled.
          for (Object[] row :
              list(
                  c,
                  "SELECT queue, CASE WHEN state = 'queued' AND run_at > ? THEN 'scheduled'"
                      + " ELSE state END AS s, count(*) FROM mayfly_jobs"
                      + " WHERE state IN ('queued', 'running', 'failed', 'dead', 'cancelled')"
                      + " GROUP BY queue, s",
                  rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)},
                  now.toEpochMilli())) {
            long[] n = byQueue.computeIfAbsent((String) row[0], q -> new long[8]);
            n[JobState.parse((String) row[1]).ordinal()] += (long) row[2];
          }
          // Succeeded, the bulk, from the counts kept as runners record them (V7/V8 migration).
          for (Object[] row :
              list(
                  c,
                  "SELECT queue, sum(succeeded) FROM (SELECT queue, succeeded FROM"
                      + " mayfly_queue_totals UNION ALL SELECT queue, succeeded FROM"
                      + " mayfly_runners WHERE folded = 0) AS t GROUP BY queue",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)})) {
            if ((long) row[1] != 0) {
              byQueue
                      .computeIfAbsent((String) row[0], q -> new long[8])[
                      JobState.SUCCEEDED.ordinal()] =
                  (long) row[1];
            }
          }
          for (Object[] row :
              list(
                  c,
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
                    long[] n = e.getValue();
                    result.add(
                        new QueueCounts(
                            e.getKey(),
                            n[JobState.QUEUED.ordinal()],
                            n[JobState.SCHEDULED.ordinal()],
                            n[JobState.RUNNING.ordinal()],
                            n[JobState.SUCCEEDED.ordinal()],
                            n[JobState.FAILED.ordinal()],
                            n[JobState.DEAD.ordinal()],
                            n[JobState.CANCELLED.ordinal()],
                            (int) n[7]));
                  });
          return result;
        });
  }

  @Override
  public List<RunnerUsage> usage(Instant since, Instant now) {
    long nowMillis = now.toEpochMilli();
    return db.read(
        c ->
            list(
                c,
                "SELECT r.id, r.queue, r.launcher, r.size, r.launched_at, r.started_at,"
                    + " r.exited_at, r.jobs_run,"
                    + " (SELECT coalesce(sum(a.finished_at - a.started_at), 0)"
                    + " FROM mayfly_attempts a WHERE a.runner_id = r.id)"
                    // and, while it is alive, the jobs it is running now
                    + " + CASE WHEN r.state IN ('launching', 'running') THEN (SELECT"
                    + " coalesce(sum(? - j.started_at), 0) FROM mayfly_jobs j"
                    + " WHERE j.state = 'running' AND j.runner_id = r.id) ELSE 0 END"
                    + " FROM mayfly_runners r WHERE r.launched_at >= ? AND r.launched_at < ?"
                    + " ORDER BY r.launched_at, r.id",
                rs ->
                    new RunnerUsage(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getString(4),
                        instant(rs, 5),
                        instantOrNull(rs, 6),
                        instantOrNull(rs, 7),
                        rs.getInt(8),
                        Math.max(0, rs.getLong(9)) / 1000.0),
                nowMillis,
                since.toEpochMilli(),
                nowMillis));
  }

  @Override
  public double billedSeconds(Instant now) {
    return db.read(
            c ->
                single(
                    c,
                    "SELECT coalesce(sum(coalesce(exited_at, ?) - launched_at), 0)"
                        + " FROM mayfly_runners",
                    rs -> rs.getLong(1),
                    now.toEpochMilli()))
        / 1000.0;
  }

  @Override
  public Map<String, Long> finishedSince(Instant since) {
    return db.read(
        c -> {
          Map<String, Long> byQueue = new LinkedHashMap<>();
          for (Object[] row :
              list(
                  c,
                  "SELECT queue, count(*) FROM mayfly_jobs WHERE finished_at >= ?"
                      + " AND state IN ('succeeded', 'dead', 'cancelled') GROUP BY queue",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2)},
                  since.toEpochMilli())) {
            byQueue.put((String) row[0], (Long) row[1]);
          }
          return byQueue;
        });
  }

  /**
   * In time order: a runner's own lines past its output's head are stored when it ends, after lines
   * its jobs printed meanwhile ({@code HeadAndTail} in the runner module).
   */
  @Override
  public List<LogLine> runnerOutput(String runnerId) {
    return db.read(
        c ->
            list(
                c,
                "SELECT at, level, line FROM mayfly_runner_output WHERE runner_id = ?"
                    + " ORDER BY at, id",
                Rows::logLine,
                runnerId));
  }

  /**
   * The lines the job logged through its context, and those it printed, which live in its runners'
   * output only ({@link RunnerRecords#appendRunnerOutput}): attempt by attempt, in time order, a
   * logged line first where the times are equal.
   */
  @Override
  public List<LogLine> jobLog(long jobId) {
    return db.read(
        c ->
            list(
                c,
                "SELECT at, level, message FROM (SELECT attempt, at, level, message, 0 AS src, id"
                    + " FROM mayfly_job_log WHERE job_id = ?"
                    + " UNION ALL SELECT attempt, at, level, line, 1, id"
                    + " FROM mayfly_runner_output WHERE job_id = ?) l"
                    + " ORDER BY attempt, at, src, id",
                Rows::logLine,
                jobId,
                jobId));
  }
}
