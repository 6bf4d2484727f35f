package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.list;
import static dev.mayfly.store.jdbc.Sql.update;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The claim, one statement on every database, and a runner's report-in, which a claim may ride
 * with: their SQL, parameters and rows, for the statements that run them alone or together.
 */
public final class ClaimSql {
  private ClaimSql() {}

  /**
   * The claim's pick: the ids of up to {@code limit} ready jobs of a queue, best first; {@code
   * limit} is an expression of one parameter. Parameters: runner id, queue, now, longest timeout,
   * limit ({@link #params}).
   */
  public static String pick(String rowLockClause, String limit) {
    return "SELECT id FROM mayfly_jobs"
        + " WHERE state IN ('queued', 'failed')"
        // a runner already declared lost (or ended) takes nothing more: its slot may be someone
        // else's now
        + " AND NOT EXISTS (SELECT 1 FROM mayfly_runners r WHERE r.id = ?"
        + " AND r.state NOT IN ('launching', 'running'))"
        + " AND queue = ? AND run_at <= ? AND timeout_ms <= ?"
        + " ORDER BY priority DESC, run_at, id LIMIT "
        + limit
        + rowLockClause;
  }

  /**
   * The claim's take: the picked jobs (a common table expression {@code picked}) become the
   * runner's, returned as {@link #claimedJob} reads them. Parameters: runner id, now, lease end.
   */
  public static final String TAKE =
      "UPDATE mayfly_jobs SET state = 'running', runner_id = ?,"
          + " attempts = attempts + 1, started_at = ?, lease_until = ?, finished_at = NULL"
          + " WHERE id IN (SELECT id FROM picked)"
          + " RETURNING id, type, queue, args, attempts, timeout_ms, enqueued_at,"
          + " priority, run_at, runner_id, started_at, max_attempts";

  /** The parameters of {@link #pick} then {@link #TAKE}, in order. */
  public static Object[] params(ClaimRequest r) {
    return new Object[] {
      r.runnerId(),
      r.queue(),
      r.now().toEpochMilli(),
      r.maxTimeout().toMillis(),
      r.limit(),
      r.runnerId(),
      r.now().toEpochMilli(),
      r.leaseUntil().toEpochMilli()
    };
  }

  /** A row of {@link #TAKE}'s result, from its first column on. */
  public static ClaimedJob claimedJob(ResultSet rs, Instant now) throws SQLException {
    return new ClaimedJob(
        rs.getLong(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getInt(5),
        Duration.ofMillis(rs.getLong(6)),
        Instant.ofEpochMilli(rs.getLong(7)),
        now,
        rs.getInt(8),
        Instant.ofEpochMilli(rs.getLong(9)),
        rs.getInt(12));
  }

  /** Claims on a connection the caller owns, in claim order. */
  public static List<ClaimedJob> claim(Connection c, String rowLockClause, ClaimRequest r)
      throws SQLException {
    // One statement picks and takes the jobs. On PostgreSQL the pick locks the rows it
    // takes and skips rows other claimers hold (FOR UPDATE SKIP LOCKED), so concurrent
    // runners never wait on each other nor take the same job; on SQLite the immediate
    // transaction holds the database's write lock for the same effect.
    //
    // The pick is a MATERIALIZED common table expression, not a sub-select in the UPDATE's
    // WHERE: PostgreSQL may run such a sub-select more than once (for instance as the inner side
    // of a nested loop or after a concurrent update), and each run with SKIP LOCKED can pick
    // other rows, so one claim could take more jobs than its LIMIT. A materialized CTE is
    // evaluated exactly once. (Oban's claim is written this way for the same reason.)
    List<ClaimedJob> claimed =
        list(
            c,
            "WITH picked AS MATERIALIZED (" + pick(rowLockClause, "?") + ") " + TAKE,
            rs -> claimedJob(rs, r.now()),
            params(r));
    // RETURNING gives no order; hand jobs out in claim order.
    claimed.sort(ClaimedJob.CLAIM_ORDER);
    return claimed;
  }

  /**
   * A runner reports in: its row goes from launching to running. Parameters: started at, heartbeat
   * at, runner.
   */
  public static final String MARK_STARTED =
      "UPDATE mayfly_runners SET state = 'running', started_at = ?, heartbeat_at = ?"
          + " WHERE id = ? AND state = 'launching'";

  /** {@link #MARK_STARTED}: true if the runner's row was launching, and is running now. */
  public static boolean markStarted(Connection c, String runnerId, Instant at) throws SQLException {
    return update(c, MARK_STARTED, at.toEpochMilli(), at.toEpochMilli(), runnerId) == 1;
  }
}
