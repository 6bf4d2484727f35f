package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.LogLine;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.OutputLine;
import dev.mayfly.store.RunnerQueue;
import dev.mayfly.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link RunnerQueue} in SQL: claims ({@link ClaimSql}), leases, outcomes ({@link Attempts}),
 * logs and scale-in. A runner's two compound steps are the database's own ({@link RunnerSteps});
 * everything else is the same statements on every database.
 */
final class JdbcRunnerQueue implements RunnerQueue {
  private final Dialect db;
  private final RunnerSteps steps;
  private final Attempts attempts;
  private final RunnerRecords records;

  JdbcRunnerQueue(Dialect db, RunnerSteps steps) {
    this.db = db;
    this.steps = steps;
    this.attempts = new Attempts(db);
    this.records = new RunnerRecords(db);
  }

  @Override
  public boolean runnerStarted(String runnerId, Instant at) {
    return db.write(c -> ClaimSql.markStarted(c, runnerId, at));
  }

  @Override
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

  @Override
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

  @Override
  public Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil) {
    // A runner finishing a job locks the job's row, then its own runner row (to count it). So the
    // heartbeat takes the rows in the same order, and skips a job row that is locked: that job is
    // being finished (or cancelled) this instant, and its lease needs no renewal. Taking the runner
    // row first and then waiting for a job row deadlocked with the runner's own finish.
    return db.write(
        c -> {
          update(
              c,
              "UPDATE mayfly_jobs SET lease_until = ? WHERE id IN (SELECT id FROM mayfly_jobs"
                  + " WHERE runner_id = ? AND state = 'running'"
                  + db.rowLockClause()
                  + ")",
              leaseUntil.toEpochMilli(),
              runnerId);
          update(
              c,
              "UPDATE mayfly_runners SET heartbeat_at = ? WHERE id = ?",
              now.toEpochMilli(),
              runnerId);
          return new HashSet<>(
              list(
                  c,
                  "SELECT id FROM mayfly_jobs WHERE runner_id = ? AND state = 'running'"
                      + " AND cancel_requested = 1",
                  rs -> rs.getLong(1),
                  runnerId));
        });
  }

  @Override
  public Optional<List<ClaimedJob>> startAndClaim(ClaimRequest request) {
    return steps.startAndClaim(request);
  }

  @Override
  public List<ClaimedJob> claim(ClaimRequest request) {
    return db.statement(c -> ClaimSql.claim(c, db.rowLockClause(), request));
  }

  /**
   * Records one outcome; one whose text the database refuses is recorded with a note in its place,
   * so the attempt still ends where it should.
   */
  @Override
  public boolean finish(long jobId, String runnerId, Finish finish) {
    return attempts.finish(jobId, runnerId, finish);
  }

  @Override
  public List<Boolean> finishAll(String runnerId, List<Finished> outcomes) {
    return attempts.finishAll(runnerId, outcomes);
  }

  /**
   * The database's step ({@link RunnerSteps#finishAllAndClaim}); should it refuse a row for what it
   * holds, each outcome is recorded alone, then the claim made, so one bad text does not hold back
   * the others.
   */
  @Override
  public FinishedAndClaimed finishAllAndClaim(List<Finished> outcomes, ClaimRequest next) {
    try {
      return steps.finishAllAndClaim(outcomes, next);
    } catch (StoreException e) {
      if (!Sql.isRowRefused(e)) {
        throw e;
      }
      List<Boolean> recorded = attempts.finishOneByOne(next.runnerId(), outcomes);
      return new FinishedAndClaimed(recorded, claim(next));
    }
  }

  @Override
  public void appendRunnerOutput(String runnerId, List<OutputLine> lines) {
    records.appendRunnerOutput(runnerId, lines);
  }

  @Override
  public void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at) {
    records.runnerExited(runnerId, exitCode, at);
  }

  @Override
  public void appendLog(long jobId, int attempt, List<LogLine> lines) {
    if (lines.isEmpty()) {
      return;
    }
    db.write(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO mayfly_job_log (job_id, attempt, at, level, message)"
                      + " VALUES (?, ?, ?, ?, ?)")) {
            for (LogLine l : lines) {
              bind(ps, jobId, attempt, l.at().toEpochMilli(), l.level(), l.message());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }
}
