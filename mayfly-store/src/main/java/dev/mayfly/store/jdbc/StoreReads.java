package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Rows.*;
import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.RunnerUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/** What the CLI, the dashboard and the dispatcher read: jobs, attempts, runners, counts, costs. */
public final class StoreReads {
  private final Dialect db;

  private static final String JOB_COLUMNS =
      "id, type, queue, state, priority, attempts, runner_id, enqueued_at, run_at, started_at,"
          + " finished_at, error, args";
  private static final String RUNNER_COLUMNS =
      "id, queue, launcher, platform_id, size, state, launched_at, started_at, exited_at,"
          + " exit_code, jobs_run, error";

  public StoreReads(Dialect db) {
    this.db = db;
  }

  // ---- reading -------------------------------------------------------------------------------

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

  public List<QueueDemand> demand(Instant now, ToLongFunction<String> longestJobMillis) {
    return db.read(
        c -> {
          Map<String, QueueDemand> byQueue = new LinkedHashMap<>();
          // By timeout too (a queue's jobs have a handful of timeouts, one per job type): a job
          // whose timeout is longer than the queue's runners may take is not demand.
          for (Object[] row :
              list(
                  c,
                  "SELECT queue, timeout_ms, count(*) FROM mayfly_jobs"
                      + " WHERE state IN ('queued', 'failed') AND run_at <= ?"
                      + " GROUP BY queue, timeout_ms",
                  rs -> new Object[] {rs.getString(1), rs.getLong(2), rs.getLong(3)},
                  now.toEpochMilli())) {
            String q = (String) row[0];
            boolean fits = (long) row[1] <= longestJobMillis.applyAsLong(q);
            long n = (long) row[2];
            QueueDemand d = byQueue.getOrDefault(q, new QueueDemand(q, 0, 0, 0, 0, 0));
            byQueue.put(
                q,
                new QueueDemand(
                    q, d.ready() + (fits ? n : 0), d.unrunnable() + (fits ? 0 : n), 0, 0, 0));
          }
          for (Object[] row :
              list(
                  c,
                  "SELECT r.queue, sum(CASE WHEN r.state = 'launching' THEN 1 ELSE 0 END),"
                      + " sum(CASE WHEN r.state = 'running' AND EXISTS (SELECT 1 FROM mayfly_jobs j"
                      + " WHERE j.runner_id = r.id AND j.state = 'running') THEN 1 ELSE 0 END),"
                      + " count(*)"
                      + " FROM mayfly_runners r WHERE r.state IN ('launching', 'running')"
                      + " GROUP BY r.queue",
                  rs -> new Object[] {rs.getString(1), rs.getInt(2), rs.getInt(3), rs.getInt(4)})) {
            String q = (String) row[0];
            int launching = (int) row[1];
            int busy = (int) row[2];
            int idle = (int) row[3] - launching - busy;
            QueueDemand jobs = byQueue.getOrDefault(q, new QueueDemand(q, 0, 0, 0, 0, 0));
            byQueue.put(
                q, new QueueDemand(q, jobs.ready(), jobs.unrunnable(), launching, busy, idle));
          }
          return List.copyOf(byQueue.values());
        });
  }

  public QueueHistory history(String queue, Instant now) {
    return db.read(
        c -> {
          // The latest runners of the queue, through the (queue, launched_at) index.
          List<Long> startups =
              list(
                  c,
                  "SELECT started_at - launched_at FROM mayfly_runners WHERE queue = ?"
                      + " AND started_at IS NOT NULL ORDER BY launched_at DESC LIMIT "
                      + HISTORY_RUNNERS,
                  rs -> Math.max(0, rs.getLong(1)),
                  queue);
          List<Long> durations =
              list(
                  c,
                  "SELECT a.finished_at - a.started_at FROM mayfly_attempts a"
                      + " WHERE a.runner_id IN (SELECT id FROM mayfly_runners WHERE queue = ?"
                      + " ORDER BY launched_at DESC LIMIT "
                      + HISTORY_RUNNERS
                      + ")"
                      + " AND a.finished_at IS NOT NULL AND a.outcome <> 'lost'"
                      + " ORDER BY a.started_at DESC LIMIT "
                      + HISTORY_ATTEMPTS,
                  rs -> Math.max(0, rs.getLong(1)),
                  queue);
          Duration runningFor = null;
          if (durations.isEmpty()) {
            Long oldest =
                single(
                    c,
                    "SELECT min(started_at) FROM mayfly_jobs WHERE state = 'running' AND queue = ?",
                    rs -> rs.getObject(1) == null ? null : rs.getLong(1),
                    queue);
            if (oldest != null) {
              runningFor = Duration.ofMillis(Math.max(0, now.toEpochMilli() - oldest));
            }
          }
          return new QueueHistory(median(startups), median(durations), startups.size(), runningFor);
        });
  }

  /** How many of a queue's latest runners, and of their latest attempts, its history reads. */
  private static final int HISTORY_RUNNERS = 20;

  private static final int HISTORY_ATTEMPTS = 200;

  private static @Nullable Duration median(List<Long> millis) {
    if (millis.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(millis);
    sorted.sort(null);
    return Duration.ofMillis(sorted.get(sorted.size() / 2));
  }
}
