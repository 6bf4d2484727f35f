package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.store.OutputLine;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What both a runner and its dispatcher record about a runner: its end, whichever tells it first,
 * and its output; and the requeue of the jobs a runner left running, which recovery does too.
 */
final class RunnerRecords {
  private final Dialect db;

  RunnerRecords(Dialect db) {
    this.db = db;
  }

  void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at) {
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
   * from here ({@code ReadModel#jobLog}).
   */
  void appendRunnerOutput(String runnerId, List<OutputLine> lines) {
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
   * Puts running jobs matching {@code condition} back in the queue, recording their attempts as
   * lost. At-least-once: the lost attempt may have done its work; running it again is the price of
   * never dropping it.
   */
  static int requeueOrphans(Connection c, long nowMs, String condition, @Nullable Object... params)
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
              + Upserts.REPLACING_ATTEMPT,
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
