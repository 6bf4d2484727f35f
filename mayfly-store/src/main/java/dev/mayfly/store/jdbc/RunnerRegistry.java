package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.JobQueue.ADDING_TO_TOTAL;
import static dev.mayfly.store.jdbc.JobQueue.REPLACING_ATTEMPT;
import static dev.mayfly.store.jdbc.Rows.*;
import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.LogLine;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.OutputLine;
import dev.mayfly.store.Recovered;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;

/**
 * The runners: reserved under the queue's cap, launched, started, exited, their output; recovery of
 * what lost runners held, and the hourly prune that folds their counts into the queue's totals.
 */
public final class RunnerRegistry {
  private final Dialect db;

  public RunnerRegistry(Dialect db) {
    this.db = db;
  }

  // ---- runners -------------------------------------------------------------------------------

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

  public void runnerLaunched(String runnerId, String platformId) {
    db.write(
        c ->
            update(
                c, "UPDATE mayfly_runners SET platform_id = ? WHERE id = ?", platformId, runnerId));
  }

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

  public boolean runnerStarted(String runnerId, Instant at) {
    return db.write(c -> markStarted(c, runnerId, at));
  }

  /** A runner reports in: true if its row was launching, and is running now. */
  static boolean markStarted(Connection c, String runnerId, Instant at) throws SQLException {
    return update(c, MARK_STARTED, at.toEpochMilli(), at.toEpochMilli(), runnerId) == 1;
  }

  /** {@link #markStarted}'s update. Parameters: started at, heartbeat at, runner. */
  public static final String MARK_STARTED =
      "UPDATE mayfly_runners SET state = 'running', started_at = ?, heartbeat_at = ?"
          + " WHERE id = ? AND state = 'launching'";

  public boolean retireIfSurplus(String runnerId, String queue, Instant now) {
    // A read first: most polls of an idle runner find that it should stay, and need no write lock.
    if (!db.read(c -> surplus(c, runnerId, queue))) {
      return false;
    }
    return db.write(
        c -> {
          db.lockQueue(c, queue); // the same lock as reserveRunners: one view of the queue's fleet
          return surplus(c, runnerId, queue)
              && update(
                      c,
                      "UPDATE mayfly_runners SET state = 'exited', exited_at = ?"
                          + " WHERE id = ? AND state = 'running'",
                      now.toEpochMilli(),
                      runnerId)
                  == 1;
        });
  }

  public List<Instant> arrivals(String queue, int limit) {
    // Newest first by id, through the primary key: the window of the latest ids keeps a rare
    // queue among many busy ones from walking the whole table.
    return db.read(
        c ->
            list(
                c,
                "SELECT run_at FROM mayfly_jobs WHERE queue = ? AND id > (SELECT"
                    + " coalesce(max(id), 0) FROM mayfly_jobs) - ? ORDER BY id DESC LIMIT ?",
                rs -> Instant.ofEpochMilli(rs.getLong(1)),
                queue,
                ARRIVAL_WINDOW,
                limit));
  }

  /** How many of the latest job ids {@link #arrivals} looks through. */
  private static final int ARRIVAL_WINDOW = 10_000;

  /**
   * Whether another alive runner of the queue will take what comes: one launching, one busy, or an
   * idle one launched after this one (ties broken by id), so that exactly one of several idle
   * runners, the one with the most time left to live, stays.
   */
  private static boolean surplus(Connection c, String runnerId, String queue) throws SQLException {
    return single(
        c,
        "SELECT count(*) FROM mayfly_runners o, mayfly_runners me"
            + " WHERE me.id = ? AND o.queue = ? AND o.id <> me.id"
            + " AND o.state IN ('launching', 'running')"
            + " AND (o.state = 'launching'"
            + " OR EXISTS (SELECT 1 FROM mayfly_jobs j WHERE j.runner_id = o.id"
            + " AND j.state = 'running')"
            + " OR o.launched_at > me.launched_at"
            + " OR (o.launched_at = me.launched_at AND o.id > me.id))",
        rs -> rs.getLong(1) > 0,
        runnerId,
        queue);
  }

  public void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at) {
    db.write(
        c -> {
          update(
              c,
              "UPDATE mayfly_runners SET"
                  + " state = CASE WHEN state IN ('launching', 'running') THEN 'exited' ELSE state"
                  + " END, exited_at = COALESCE(exited_at, ?), exit_code = COALESCE(?, exit_code)"
                  + " WHERE id = ?",
              at.toEpochMilli(),
              exitCode,
              runnerId);
          // A runner that ended while holding a job (a crash) gives the job back right away
          // instead of waiting for its lease to run out.
          requeueOrphans(c, at.toEpochMilli(), "AND runner_id = ?", runnerId);
          return null;
        });
  }

  /**
   * The lines a job printed are stored here only, tagged with its attempt; the job's log reads them
   * from here ({@link JobQueue#jobLog}).
   */
  public void appendRunnerOutput(String runnerId, List<OutputLine> lines) {
    if (lines.isEmpty()) {
      return;
    }
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO mayfly_runner_output (runner_id, job_id, attempt, at, level, line)"
                      + " VALUES (?, ?, ?, ?, ?, ?)")) {
            for (OutputLine o : lines) {
              bind(
                  ps,
                  runnerId,
                  o.jobId(),
                  o.jobId() == null ? null : o.attempt(),
                  o.line().at().toEpochMilli(),
                  o.line().level(),
                  o.line().message()); // bind makes it storable
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  /**
   * In time order: a runner's own lines past its output's head are stored when it ends, after lines
   * its jobs printed meanwhile ({@code HeadAndTail} in the runner module).
   */
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
              requeueOrphans(
                  c,
                  nowMs,
                  "AND (lease_until < ? OR runner_id IN (SELECT id FROM mayfly_runners"
                      + " WHERE state NOT IN ('launching', 'running')))",
                  nowMs);
          return new Recovered(requeued, lost);
        });
  }

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
    addToTotals(c, byQueue);
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
    addToTotals(c, fromTotals);
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

  static void addToTotals(Connection c, Map<String, Long> byQueue) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO mayfly_queue_totals (queue, succeeded) VALUES (?, ?)" + ADDING_TO_TOTAL)) {
      for (var e : byQueue.entrySet()) {
        if (e.getValue() != 0) {
          ps.setString(1, e.getKey());
          ps.setLong(2, e.getValue());
          ps.addBatch();
        }
      }
      ps.executeBatch();
    }
  }

  /**
   * Puts running jobs matching {@code condition} back in the queue, recording their attempts as
   * lost. At-least-once: the lost attempt may have done its work; running it again is the price of
   * never dropping it.
   */
  private int requeueOrphans(Connection c, long nowMs, String condition, @Nullable Object... params)
      throws SQLException {
    List<Long> ids =
        list(
            c,
            "SELECT id FROM mayfly_jobs WHERE state = 'running' " + condition,
            rs -> rs.getLong(1),
            params);
    for (long id : ids) {
      update(
          c,
          "INSERT INTO mayfly_attempts (job_id, attempt, runner_id, started_at, finished_at,"
              + " outcome, error) SELECT id, attempts, runner_id, started_at, ?, 'lost',"
              + " 'runner ' || runner_id || ' stopped without reporting this attempt'"
              + " FROM mayfly_jobs WHERE id = ? AND state = 'running'"
              + REPLACING_ATTEMPT,
          nowMs,
          id);
      update(
          c,
          // The lost attempt counts: with none left the job is dead, not retried forever.
          "UPDATE mayfly_jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead'"
              + " ELSE 'queued' END, finished_at = CASE WHEN attempts >= max_attempts THEN ?"
              + " ELSE NULL END, run_at = ?, lease_until = NULL,"
              + " error = 'runner ' || runner_id || ' stopped without reporting this attempt'"
              + " WHERE id = ? AND state = 'running'",
          nowMs,
          nowMs,
          id);
    }
    return ids.size();
  }
}
