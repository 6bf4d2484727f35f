package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How attempts end: a job's row leaves state running (succeeded, failed, dead, back to the queue,
 * cancelled) only if the runner still holds it, its attempt is recorded once, and its runner's
 * count (or its queue's total) goes up. Every database records outcomes this way; only a runner's
 * step that also claims may do the common case, successes, otherwise ({@link RunnerSteps}).
 */
final class Attempts {
  private final Dialect db;

  Attempts(Dialect db) {
    this.db = db;
  }

  /**
   * Records one outcome; one whose text the database refuses is recorded with a note in its place
   * ({@link #keptOf}), so the attempt still ends where it should.
   */
  boolean finish(long jobId, String runnerId, Finish finish) {
    try {
      return db.write(c -> finishIn(c, jobId, runnerId, finish));
    } catch (StoreException e) {
      if (!Sql.isRowRefused(e) || finish instanceof Finish.Succeeded) {
        throw e;
      }
      return db.write(c -> finishIn(c, jobId, runnerId, keptOf(finish, e)));
    }
  }

  List<Boolean> finishAll(String runnerId, List<Finished> outcomes) {
    try {
      return db.write(c -> finishAllIn(c, runnerId, outcomes));
    } catch (StoreException e) {
      if (!Sql.isRowRefused(e)) {
        throw e; // an outage: the caller retries the whole batch
      }
      return finishOneByOne(runnerId, outcomes);
    }
  }

  /**
   * A batch the database refused for what one of its rows holds: each outcome is recorded alone, so
   * the others are not lost with it (and run again, duplicated, when their leases end), and the one
   * refused is recorded with what could be kept of its text.
   */
  List<Boolean> finishOneByOne(String runnerId, List<Finished> outcomes) {
    List<Boolean> recorded = new ArrayList<>(outcomes.size());
    for (Finished f : outcomes) {
      recorded.add(finish(f.jobId(), runnerId, f.finish()));
    }
    return recorded;
  }

  /** An outcome whose text the database refused, with a plain note in its place. */
  private static Finish keptOf(Finish refused, StoreException why) {
    return switch (refused) {
      case Finish.Succeeded s -> s;
      case Finish.Failed f -> new Finish.Failed(f.at(), keptText(f.error(), why), f.retryAt());
      case Finish.Requeued r ->
          new Finish.Requeued(r.at(), r.runAt(), keptText(r.reason(), why), r.countsAsAttempt());
      case Finish.Discarded d -> new Finish.Discarded(d.at(), keptText(d.reason(), why));
    };
  }

  private static String keptText(String text, StoreException why) {
    String head = text.substring(0, Math.min(text.length(), 1_000));
    return "the database refused to store this attempt's text ("
        + Sql.printable(String.valueOf(why.getMessage()))
        + "); what could be kept of it: "
        + Sql.printable(head);
  }

  List<Boolean> finishAllIn(Connection c, String runnerId, List<Finished> outcomes)
      throws SQLException {
    // Successes, the common case, are recorded set-wise: three statements for the whole
    // batch instead of three per job.
    List<Long> succeeded = new ArrayList<>();
    long at = 0;
    for (Finished f : outcomes) {
      if (f.finish() instanceof Finish.Succeeded s) {
        succeeded.add(f.jobId());
        at = Math.max(at, s.at().toEpochMilli());
      }
    }
    Set<Long> done = succeeded.size() > 1 ? succeedAll(c, runnerId, succeeded, at) : Set.of();
    List<Boolean> recorded = new ArrayList<>(outcomes.size());
    for (Finished f : outcomes) {
      recorded.add(done.contains(f.jobId()) || finishIn(c, f.jobId(), runnerId, f.finish()));
    }
    return recorded;
  }

  private Set<Long> succeedAll(Connection c, String runnerId, List<Long> ids, long at)
      throws SQLException {
    List<Object> params = new ArrayList<>(List.of(at));
    params.addAll(ids);
    params.add(runnerId);
    List<EndedAttempt> ended =
        list(
            c,
            "UPDATE mayfly_jobs SET state = 'succeeded', finished_at = ?, lease_until = NULL,"
                + " error = NULL WHERE id IN ("
                + inList(ids.size())
                + ") AND runner_id = ? AND state = 'running'"
                + ENDED_RETURNING,
            ENDED,
            params.toArray());
    recordAttempts(c, runnerId, ended, at, "succeeded", null);
    if (!ended.isEmpty()) {
      countSuccesses(c, runnerId, ended);
    }
    Set<Long> done = new HashSet<>();
    ended.forEach(e -> done.add(e.jobId()));
    return done;
  }

  /**
   * Adds successes to the runner's count, which the overview's counts read ({@code
   * ReadModel#counts}); a runner whose count was already folded into its queue's total (a success
   * recorded after its end was) is unfolded again, for the next prune to fold the rest. A runner
   * with no row of its own (a test's, or a tool's) counts into its queue's total at once.
   */
  private static void countSuccesses(Connection c, String runnerId, List<EndedAttempt> ended)
      throws SQLException {
    int counted =
        update(
            c,
            "UPDATE mayfly_runners SET jobs_run = jobs_run + ?, succeeded = succeeded + ?,"
                + " folded = 0 WHERE id = ?",
            ended.size(),
            ended.size(),
            runnerId);
    if (counted == 0) {
      Map<String, Long> byQueue = new LinkedHashMap<>();
      ended.forEach(e -> byQueue.merge(e.queue(), 1L, Long::sum));
      Upserts.addToTotals(c, byQueue);
    }
  }

  /** An attempt that has just ended, read off its job's row as the job left state running. */
  private record EndedAttempt(
      long jobId, int attempt, long startedAt, String queue, String state) {}

  /** What an update that ends attempts returns, read by {@link #ENDED}. */
  private static final String ENDED_RETURNING = " RETURNING id, attempts, started_at, queue, state";

  private static final RowMapper<EndedAttempt> ENDED =
      rs ->
          new EndedAttempt(
              rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getString(4), rs.getString(5));

  /** The longest error an attempt keeps: a stack trace is a few KiB; a runaway message is cut. */
  static final int MAX_ERROR_CHARS = 64 * 1024;

  private static String capped(String error) {
    return Sql.headAndTail(error, MAX_ERROR_CHARS);
  }

  /**
   * Records ended attempts. While an attempt runs, its job's row is its record (runner, start);
   * only when it ends does it get a row here, written once: one write per attempt, by its primary
   * key, instead of an insert at the claim and an update at the end. An attempt number given back
   * (a snooze) is used again by the next claim, whose end then replaces this row.
   */
  private static void recordAttempts(
      Connection c,
      String runnerId,
      List<EndedAttempt> ended,
      long at,
      String outcome,
      @Nullable String error)
      throws SQLException {
    if (ended.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(RECORD_ATTEMPT)) {
      for (EndedAttempt e : ended) {
        bind(ps, e.jobId(), e.attempt(), runnerId, e.startedAt(), at, outcome, error);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** Parameters: job, attempt, runner, started at, finished at, outcome, error. */
  private static final String RECORD_ATTEMPT =
      "INSERT INTO mayfly_attempts (job_id, attempt, runner_id, started_at, finished_at,"
          + " outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
          + Upserts.REPLACING_ATTEMPT;

  private static @Nullable Long millisOrNull(@Nullable Instant t) {
    return t == null ? null : t.toEpochMilli();
  }

  private static String inList(int n) {
    return String.join(", ", java.util.Collections.nCopies(n, "?"));
  }

  private boolean finishIn(Connection c, long jobId, String runnerId, Finish finish)
      throws SQLException {
    long at = finish.at().toEpochMilli();
    EndedAttempt attempt =
        switch (finish) {
          case Finish.Succeeded s ->
              one(
                  c,
                  "UPDATE mayfly_jobs SET state = 'succeeded', finished_at = ?,"
                      + " lease_until = NULL, error = NULL"
                      + " WHERE id = ? AND runner_id = ? AND state = 'running'"
                      + ENDED_RETURNING,
                  ENDED,
                  at,
                  jobId,
                  runnerId);
          case Finish.Failed f ->
              one(
                  c,
                  "UPDATE mayfly_jobs SET state = ?, finished_at = ?, run_at = COALESCE(?, run_at),"
                      + " lease_until = NULL, error = ?"
                      + " WHERE id = ? AND runner_id = ? AND state = 'running'"
                      + ENDED_RETURNING,
                  ENDED,
                  f.dead() ? "dead" : "failed",
                  f.dead() ? at : null,
                  millisOrNull(f.retryAt()),
                  capped(f.error()),
                  jobId,
                  runnerId);
          case Finish.Requeued r ->
              one(
                  c,
                  // An attempt given back counts like any other (a retry asked for, a SIGTERM):
                  // with none left the job is dead, not given back forever. A snooze does not
                  // count, and gives its number back.
                  "UPDATE mayfly_jobs SET state = CASE WHEN ? = 1 AND attempts >= max_attempts"
                      + " THEN 'dead' ELSE 'queued' END, finished_at = CASE WHEN ? = 1"
                      + " AND attempts >= max_attempts THEN ? ELSE NULL END,"
                      + " run_at = ?, lease_until = NULL, error = ?, attempts = attempts - ?"
                      + " WHERE id = ? AND runner_id = ? AND state = 'running'"
                      // the attempt that ended, before a snooze gave its number back
                      + " RETURNING id, attempts + ?, started_at, queue, state",
                  ENDED,
                  r.countsAsAttempt() ? 1 : 0,
                  r.countsAsAttempt() ? 1 : 0,
                  at,
                  r.runAt().toEpochMilli(),
                  capped(r.reason()),
                  r.countsAsAttempt() ? 0 : 1,
                  jobId,
                  runnerId,
                  r.countsAsAttempt() ? 0 : 1);
          case Finish.Discarded d ->
              one(
                  c,
                  "UPDATE mayfly_jobs SET state = 'cancelled', finished_at = ?,"
                      + " lease_until = NULL, error = ?"
                      + " WHERE id = ? AND runner_id = ? AND state = 'running'"
                      + ENDED_RETURNING,
                  ENDED,
                  at,
                  capped(d.reason()),
                  jobId,
                  runnerId);
        };
    if (attempt == null) {
      return false;
    }
    String outcome =
        switch (finish) {
          case Finish.Succeeded s -> "succeeded";
          case Finish.Failed f -> "failed";
          case Finish.Requeued r ->
              "dead".equals(attempt.state()) ? "failed" : r.countsAsAttempt() ? "retry" : "snoozed";
          case Finish.Discarded d -> "discarded";
        };
    String error =
        switch (finish) {
          case Finish.Succeeded s -> null;
          case Finish.Failed f -> capped(f.error());
          case Finish.Requeued r -> capped(r.reason());
          case Finish.Discarded d -> capped(d.reason());
        };
    recordAttempts(c, runnerId, List.of(attempt), at, outcome, error);
    if (finish instanceof Finish.Succeeded) {
      countSuccesses(c, runnerId, List.of(attempt));
    } else {
      update(c, "UPDATE mayfly_runners SET jobs_run = jobs_run + 1 WHERE id = ?", runnerId);
    }
    return true;
  }
}
