package dev.mayfly.store.postgres;

import static dev.mayfly.store.jdbc.Sql.bind;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.jdbc.ClaimSql;
import dev.mayfly.store.jdbc.Dialect;
import dev.mayfly.store.jdbc.RunnerSteps;
import dev.mayfly.store.jdbc.Upserts;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A runner's compound steps on PostgreSQL, each one statement in autocommit where it can be: one
 * round trip and one commit where a transaction would take four or more. They are what a runner's
 * throughput is made of. Outcomes other than successes (failures, retries, snoozes, discards) are
 * rarer and take {@code general}, a transaction of several statements.
 *
 * <p>The parts of a statement cannot see each other's rows: every part reads the same snapshot, in
 * which the jobs being finished are still running, so the pick never takes them; and no row is
 * written by two parts.
 */
final class PostgresSteps implements RunnerSteps {
  private final Dialect db;
  private final RunnerSteps general;

  PostgresSteps(Dialect db, RunnerSteps general) {
    this.db = db;
    this.general = general;
  }

  /**
   * A runner's first step is one statement: it reports in and claims. The pick takes nothing unless
   * the report-in changed the runner's row: the limit is multiplied by the number of rows it
   * changed, one or none.
   */
  @Override
  public Optional<List<ClaimedJob>> startAndClaim(ClaimRequest request) {
    Instant at = request.now();
    List<Object> params =
        new ArrayList<>(List.of(at.toEpochMilli(), at.toEpochMilli(), request.runnerId()));
    params.addAll(List.of(ClaimSql.params(request)));
    return db.statement(
        c -> {
          boolean asRunner = false;
          List<ClaimedJob> claimed = new ArrayList<>();
          try (PreparedStatement ps = c.prepareStatement(START_AND_CLAIM)) {
            bind(ps, params.toArray());
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                asRunner = rs.getLong(13) == 1;
                rs.getLong(1);
                if (!rs.wasNull()) {
                  claimed.add(ClaimSql.claimedJob(rs, at));
                }
              }
            }
          }
          claimed.sort(ClaimedJob.CLAIM_ORDER);
          return asRunner ? Optional.of(claimed) : Optional.empty();
        });
  }

  /** {@link #startAndClaim}'s statement. */
  private static final String START_AND_CLAIM =
      "WITH started AS ("
          + ClaimSql.MARK_STARTED
          + " RETURNING id),"
          + " picked AS MATERIALIZED ("
          + ClaimSql.pick(PostgresDatabase.ROW_LOCK, "(SELECT count(*) FROM started) * ?")
          + "), claimed AS ("
          + ClaimSql.TAKE
          + ")"
          // one row even when nothing was claimed: the claimed job's columns (or nulls), then
          // whether the runner reported in
          + " SELECT c.*, s.n FROM (SELECT count(*) AS n FROM started) AS s"
          + " LEFT JOIN claimed c ON true";

  /**
   * The runner's common step, its jobs succeeded and it goes on, is one statement: the successes
   * recorded (job, ended attempt, the runner's count) and the next jobs claimed. Any other outcome
   * among them takes the general path.
   */
  @Override
  public FinishedAndClaimed finishAllAndClaim(List<Finished> outcomes, ClaimRequest next) {
    long at = 0;
    for (Finished f : outcomes) {
      if (!(f.finish() instanceof Finish.Succeeded s)) {
        return general.finishAllAndClaim(outcomes, next);
      }
      at = Math.max(at, s.at().toEpochMilli());
    }
    long finishedAt = at;
    String runnerId = next.runnerId();
    Object[] ids = outcomes.stream().map(Finished::jobId).toArray();
    Set<Long> done = new HashSet<>();
    List<ClaimedJob> claimed =
        db.statement(
            c -> {
              done.clear();
              List<Object> params = new ArrayList<>();
              params.addAll(
                  List.of(finishedAt, c.createArrayOf("bigint", ids), runnerId, runnerId));
              params.addAll(List.of(ClaimSql.params(next)));
              List<ClaimedJob> rows = new ArrayList<>();
              try (PreparedStatement ps = c.prepareStatement(SUCCEED_AND_CLAIM)) {
                bind(ps, params.toArray());
                try (ResultSet rs = ps.executeQuery()) {
                  while (rs.next()) {
                    java.sql.Array recorded = rs.getArray(13);
                    if (recorded != null && done.isEmpty()) {
                      done.addAll(List.of((Long[]) recorded.getArray()));
                    }
                    rs.getLong(1);
                    if (!rs.wasNull()) {
                      rows.add(ClaimSql.claimedJob(rs, next.now()));
                    }
                  }
                }
              }
              return rows;
            });
    claimed.sort(ClaimedJob.CLAIM_ORDER);
    List<Boolean> recorded = outcomes.stream().map(f -> done.contains(f.jobId())).toList();
    return new FinishedAndClaimed(recorded, claimed);
  }

  /** {@link #finishAllAndClaim}'s statement. */
  private static final String SUCCEED_AND_CLAIM =
      "WITH done AS (UPDATE mayfly_jobs SET state = 'succeeded', finished_at = ?,"
          + " lease_until = NULL, error = NULL WHERE id = ANY(?) AND runner_id = ?"
          + " AND state = 'running'"
          + " RETURNING id, attempts, runner_id, started_at, finished_at, queue),"
          + " done_attempts AS (INSERT INTO mayfly_attempts (job_id, attempt, runner_id,"
          + " started_at, finished_at, outcome) SELECT id, attempts, runner_id, started_at,"
          + " finished_at, 'succeeded' FROM done"
          + Upserts.REPLACING_ATTEMPT
          + "),"
          + " n AS (SELECT count(*) AS n FROM done),"
          + " counted AS (UPDATE mayfly_runners SET jobs_run = jobs_run + n.n,"
          + " succeeded = succeeded + n.n, folded = 0 FROM n WHERE id = ? AND n.n > 0"
          + " RETURNING id),"
          // a runner with no row of its own (a test's, a tool's) counts into the queue's total
          + " uncounted AS (INSERT INTO mayfly_queue_totals (queue, succeeded)"
          + " SELECT queue, count(*) FROM done WHERE NOT EXISTS (SELECT 1 FROM counted)"
          + " GROUP BY queue"
          + Upserts.ADDING_TO_TOTAL
          + "),"
          + " picked AS MATERIALIZED ("
          + ClaimSql.pick(PostgresDatabase.ROW_LOCK, "?")
          + "), claimed AS ("
          + ClaimSql.TAKE
          + ")"
          // One row even when nothing was claimed: the claimed job's columns (or nulls), then the
          // ids of the jobs recorded as succeeded. The order matters: the outer side of this join
          // runs first, so the runner's own jobs are recorded before it picks. A pick can leave a
          // row locked that it passed over (a job another runner claimed a moment earlier, seen
          // through an older snapshot), and two runners that each picked first held each other's
          // finished job while waiting to record their own: a deadlock.
          + " SELECT c.*, d.ids FROM (SELECT array_agg(id) AS ids FROM done) AS d"
          + " LEFT JOIN claimed c ON true";
}
