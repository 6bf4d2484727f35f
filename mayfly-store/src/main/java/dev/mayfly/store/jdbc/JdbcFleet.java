package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.store.Fleet;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.OutputLine;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.Recovered;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Fleet} in SQL, the same statements on every database: runners reserved under the
 * queue's cap (serialised by {@link Dialect#lockQueue}), launched, exited, their output; the demand
 * and history the dispatcher sizes fleets from; recovery of what lost runners held, and the prune
 * that folds their counts into the queue's totals.
 */
final class JdbcFleet implements Fleet {
  private final Dialect db;
  private final RunnerRecords records;

  JdbcFleet(Dialect db) {
    this.db = db;
    this.records = new RunnerRecords(db);
  }

  @Override
  public List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted) {
    return db.write(
        c -> {
          // Counted and inserted under the write lock: two dispatchers can never both see a free
          // slot and both fill it.
          db.lockQueue(c, runner.queue());
          long alive =
              single(
                  c,
                  "SELECT count(*) FROM mayfly_runners WHERE queue = ?"
                      + " AND state IN ('launching', 'running')",
                  rs -> rs.getLong(1),
                  runner.queue());
          int n = (int) Math.max(0, Math.min(wanted, maxRunners - alive));
          // A slot freed by a runner's exit is taken after that exit, whatever the caller's clock
          // read when its tick began: launch times never precede the exits that made room, so
          // the stored history shows the cap as it was kept.
          Long lastExit =
              single(
                  c,
                  "SELECT max(exited_at) FROM mayfly_runners WHERE queue = ?"
                      + " AND exited_at IS NOT NULL",
                  rs -> {
                    long v = rs.getLong(1);
                    return rs.wasNull() ? null : v;
                  },
                  runner.queue());
          long launchedAt =
              Math.max(runner.launchedAt().toEpochMilli(), lastExit == null ? 0 : lastExit);
          List<String> ids = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            String id = newRunnerId();
            update(
                c,
                "INSERT INTO mayfly_runners (id, queue, launcher, size, state, launched_at)"
                    + " VALUES (?, ?, ?, ?, 'launching', ?)",
                id,
                runner.queue(),
                runner.launcher(),
                runner.size(),
                launchedAt);
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
    db.write(
        c ->
            update(
                c, "UPDATE mayfly_runners SET platform_id = ? WHERE id = ?", platformId, runnerId));
  }

  @Override
  public boolean runnerLaunchFailed(String runnerId, @Nullable String error, Instant at) {
    return db.write(
        c ->
            update(
                    c,
                    "UPDATE mayfly_runners SET state = 'failed', error = ?, exited_at = ?"
                        + " WHERE id = ? AND state = 'launching'",
                    error,
                    at.toEpochMilli(),
                    runnerId)
                == 1);
  }

  @Override
  public Recovered recover(Instant now, Instant silentSince, Instant launchedBefore) {
    return db.write(
        c -> {
          long nowMs = now.toEpochMilli();
          List<Recovered.LostRunner> lost =
              list(
                  c,
                  "UPDATE mayfly_runners SET state = 'lost', exited_at = ?, error = CASE state"
                      + " WHEN 'running' THEN ? ELSE ? END"
                      + " WHERE (state = 'running' AND COALESCE(heartbeat_at, launched_at) < ?)"
                      + " OR (state = 'launching' AND launched_at < ?)"
                      + " RETURNING id, queue, launcher, platform_id",
                  rs ->
                      new Recovered.LostRunner(
                          rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                  nowMs,
                  "no sign of life since before " + silentSince + "; its jobs were requeued",
                  "launched before "
                      + launchedBefore
                      + " and never reported in (the launch timeout); its launch is given up",
                  silentSince.toEpochMilli(),
                  launchedBefore.toEpochMilli());
          int requeued =
              RunnerRecords.requeueOrphans(
                  c,
                  nowMs,
                  "AND (lease_until < ? OR runner_id IN (SELECT id FROM mayfly_runners"
                      + " WHERE state NOT IN ('launching', 'running')))",
                  nowMs);
          return new Recovered(requeued, lost);
        });
  }

  @Override
  public int prune(Instant finishedBefore) {
    long before = finishedBefore.toEpochMilli();
    return db.write(
        c -> {
          String finished =
              "SELECT id FROM mayfly_jobs WHERE state IN ('succeeded', 'failed', 'dead',"
                  + " 'cancelled') AND finished_at < ?";
          foldEndedRunners(c);
          uncountPrunedSuccesses(c, before);
          update(c, "DELETE FROM mayfly_job_log WHERE job_id IN (" + finished + ")", before);
          update(c, "DELETE FROM mayfly_runner_output WHERE job_id IN (" + finished + ")", before);
          update(c, "DELETE FROM mayfly_attempts WHERE job_id IN (" + finished + ")", before);
          int jobs =
              update(
                  c,
                  "DELETE FROM mayfly_jobs WHERE state IN ('succeeded', 'failed', 'dead',"
                      + " 'cancelled') AND finished_at < ?",
                  before);
          String exited =
              "SELECT id FROM mayfly_runners WHERE state NOT IN ('launching', 'running')"
                  + " AND exited_at < ?";
          // A job's printed lines stay while the job does, though the runner that printed them
          // (an earlier attempt's) is pruned: they go with the job.
          update(
              c,
              "DELETE FROM mayfly_runner_output WHERE runner_id IN ("
                  + exited
                  + ") AND (job_id IS NULL OR NOT EXISTS (SELECT 1 FROM mayfly_jobs j"
                  + " WHERE j.id = mayfly_runner_output.job_id))",
              before);
          update(
              c,
              "DELETE FROM mayfly_runners WHERE state NOT IN ('launching', 'running')"
                  + " AND exited_at < ?",
              before);
          return jobs;
        });
  }

  /**
   * Moves the success counts of runners that have ended into their queues' totals, so the
   * overview's counts read one row per queue and one per runner still alive or ended since the last
   * prune. The rows are locked first (where the database has row locks), so a success recorded
   * meanwhile waits and is not lost; a locked one is skipped, for the next prune.
   */
  private void foldEndedRunners(Connection c) throws SQLException {
    List<Object[]> ended =
        list(
            c,
            "SELECT id, queue, succeeded FROM mayfly_runners WHERE folded = 0"
                + " AND state NOT IN ('launching', 'running')"
                + db.rowLockClause(),
            rs -> new Object[] {rs.getString(1), rs.getString(2), rs.getLong(3)});
    Map<String, Long> byQueue = new LinkedHashMap<>();
    for (Object[] r : ended) {
      byQueue.merge((String) r[1], (Long) r[2], Long::sum);
    }
    Upserts.addToTotals(c, byQueue);
    try (PreparedStatement ps =
        c.prepareStatement("UPDATE mayfly_runners SET succeeded = 0, folded = 1 WHERE id = ?")) {
      for (Object[] r : ended) {
        ps.setString(1, (String) r[0]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /**
   * Takes the succeeded jobs about to be pruned out of the counts they are in: their runner's, if
   * it is not folded yet, else their queue's total.
   */
  private static void uncountPrunedSuccesses(Connection c, long finishedBefore)
      throws SQLException {
    String pruned = "FROM mayfly_jobs j WHERE j.state = 'succeeded' AND j.finished_at < ?";
    String unfolded =
        " EXISTS (SELECT 1 FROM mayfly_runners r WHERE r.id = j.runner_id AND r.folded = 0)";
    Map<String, Long> fromTotals = new LinkedHashMap<>();
    for (Object[] row :
        list(
            c,
            "SELECT j.queue, count(*) " + pruned + " AND NOT" + unfolded + " GROUP BY j.queue",
            rs -> new Object[] {rs.getString(1), rs.getLong(2)},
            finishedBefore)) {
      fromTotals.put((String) row[0], -(Long) row[1]);
    }
    Upserts.addToTotals(c, fromTotals);
    update(
        c,
        "UPDATE mayfly_runners SET succeeded = succeeded - p.n FROM (SELECT j.runner_id, count(*)"
            + " AS n "
            + pruned
            + " AND"
            + unfolded
            + " GROUP BY j.runner_id) AS p WHERE p.runner_id = mayfly_runners.id",
        finishedBefore);
  }

  @Override
  public int markUnrunnable(String queue, Duration longestJob, String error) {
    return db.write(
        c ->
            update(
                c,
                "UPDATE mayfly_jobs SET error = ? WHERE queue = ? AND state IN ('queued', 'failed')"
                    + " AND timeout_ms > ? AND (error IS NULL OR error <> ?)",
                error,
                queue,
                longestJob.toMillis(),
                error));
  }

  @Override
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

  @Override
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

  @Override
  public void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at) {
    records.runnerExited(runnerId, exitCode, at);
  }

  @Override
  public void appendRunnerOutput(String runnerId, List<OutputLine> lines) {
    records.appendRunnerOutput(runnerId, lines);
  }
}
