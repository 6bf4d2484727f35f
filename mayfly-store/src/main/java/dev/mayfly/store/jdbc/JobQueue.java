package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Rows.*;
import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.LogLine;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.KeyHeld;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.RetriedDead;
import dev.mayfly.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Jobs in and out of the queue: enqueue, claim, finish, leases, cancel and retry, job logs. The
 * same statements on SQLite and PostgreSQL; what differs comes from the {@link Dialect}.
 */
public final class JobQueue {
  private final Dialect db;

  public JobQueue(Dialect db) {
    this.db = db;
  }

  // ---- jobs ----------------------------------------------------------------------------------

  /** The columns a new job is inserted with; {@link #NEW_JOB_VALUES} and {@link #newJobValues}. */
  public static final String NEW_JOB_COLUMNS =
      "type, queue, args, state, priority, run_at, timeout_ms, max_attempts, enqueued_at";

  /** The placeholders of {@link #NEW_JOB_COLUMNS}: a new job is queued. */
  public static final String NEW_JOB_VALUES = "?, ?, ?, 'queued', ?, ?, ?, ?, ?";

  /** The parameters of {@link #NEW_JOB_VALUES}, in order. */
  public static Object[] newJobValues(NewJob j) {
    return new Object[] {
      j.type(),
      j.queue(),
      j.args(),
      j.priority(),
      j.runAt().toEpochMilli(),
      j.timeout().toMillis(),
      j.maxAttempts(),
      j.enqueuedAt().toEpochMilli()
    };
  }

  public long enqueue(NewJob job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  public List<Long> enqueueAll(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    if (jobs.size() == 1 && jobs.getFirst().uniqueKey() == null) {
      Long id = db.enqueueOne(jobs.getFirst());
      if (id != null) {
        return List.of(id);
      }
    }
    Set<String> queues = jobs.stream().map(NewJob::queue).collect(Collectors.toSet());
    if (jobs.size() == 1 && jobs.getFirst().uniqueKey() != null) {
      List<Long> id = List.of(enqueueUnique(jobs.getFirst()));
      db.committed(queues);
      return id;
    }
    List<Long> ids =
        db.write(
            c -> {
              List<Long> inserted = db.insertJobs(c, jobs);
              db.notifyReady(c, queues);
              return inserted;
            });
    db.committed(queues);
    return ids;
  }

  /**
   * {@link dev.mayfly.store.JobStore#enqueueAllOn}: the same inserts on the caller's connection, in
   * its transaction. A unique job's insert runs under a savepoint, so an insert the unique index
   * refuses (another transaction made the job first) does not abort the caller's transaction.
   */
  public List<Long> enqueueAllOn(Connection c, List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    try {
      List<Long> ids = new ArrayList<>(jobs.size());
      if (jobs.stream().allMatch(j -> j.uniqueKey() == null)) {
        ids.addAll(db.insertJobs(c, jobs));
      } else {
        for (NewJob j : jobs) {
          ids.add(j.uniqueKey() == null ? db.insertJobs(c, List.of(j)).getFirst() : uniqueOn(c, j));
        }
      }
      db.notifyReady(c, jobs.stream().map(NewJob::queue).collect(Collectors.toSet()));
      return ids;
    } catch (SQLException e) {
      throw new StoreException("enqueueing in the app's transaction failed: " + e.getMessage(), e);
    }
  }

  private long uniqueOn(Connection c, NewJob job) throws SQLException {
    Long existing = unfinishedWithKey(c, job);
    if (existing != null) {
      return existing;
    }
    java.sql.Savepoint before = c.setSavepoint();
    try {
      long id = insertUnique(c, job);
      c.releaseSavepoint(before);
      return id;
    } catch (SQLException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(before);
      Long first = unfinishedWithKey(c, job);
      if (first == null) {
        throw e;
      }
      return first;
    }
  }

  private static long insertUnique(Connection c, NewJob job) throws SQLException {
    List<Object> values = new ArrayList<>(List.of(newJobValues(job)));
    values.add(job.uniqueKey());
    return single(
        c,
        "INSERT INTO mayfly_jobs ("
            + NEW_JOB_COLUMNS
            + ", unique_key) VALUES ("
            + NEW_JOB_VALUES
            + ", ?) RETURNING id",
        rs -> rs.getLong(1),
        values.toArray());
  }

  private static @Nullable Long unfinishedWithKey(Connection c, NewJob job) throws SQLException {
    return one(
        c,
        "SELECT id FROM mayfly_jobs WHERE unique_key = ? AND state IN ('queued', 'running',"
            + " 'failed')",
        rs -> rs.getLong(1),
        job.uniqueKey());
  }

  /**
   * The unfinished job with this key, or a new one. Two nodes may race past the lookup; the unique
   * index then refuses the second insert, and the second look finds the first job.
   */
  private long enqueueUnique(NewJob job) {
    for (int attempt = 1; ; attempt++) {
      try {
        return db.write(
            c -> {
              Long existing = unfinishedWithKey(c, job);
              if (existing != null) {
                return existing;
              }
              long id = insertUnique(c, job);
              db.notifyReady(c, Set.of(job.queue()));
              return id;
            });
      } catch (StoreException e) {
        if (attempt >= 3 || !isUniqueViolation(e.getCause())) {
          throw e;
        }
      }
    }
  }

  private static boolean isUniqueViolation(@Nullable Throwable t) {
    if (!(t instanceof SQLException e)) {
      return false;
    }
    String state = e.getSQLState();
    String message = String.valueOf(e.getMessage());
    return "23505".equals(state) || message.contains("UNIQUE constraint failed");
  }

  public List<ClaimedJob> claim(
      String queue,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return db.statement(c -> claimIn(c, queue, runnerId, now, maxTimeout, leaseUntil, limit));
  }

  public FinishedAndClaimed finishAllAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queue,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    try {
      FinishedAndClaimed fast =
          db.succeedAndClaim(runnerId, outcomes, queue, now, maxTimeout, leaseUntil, limit);
      if (fast != null) {
        return fast;
      }
      return db.write(
          c ->
              new FinishedAndClaimed(
                  finishAllIn(c, runnerId, outcomes),
                  claimIn(c, queue, runnerId, now, maxTimeout, leaseUntil, limit)));
    } catch (StoreException e) {
      if (!Sql.isRowRefused(e)) {
        throw e;
      }
      List<Boolean> recorded = finishOneByOne(runnerId, outcomes);
      return new FinishedAndClaimed(
          recorded, claim(queue, runnerId, now, maxTimeout, leaseUntil, limit));
    }
  }

  public Optional<List<ClaimedJob>> startAndClaim(
      String runnerId,
      Instant at,
      String queue,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    Dialect.Started fast = db.startAndClaim(runnerId, at, queue, maxTimeout, leaseUntil, limit);
    if (fast != null) {
      return fast.asRunner() ? Optional.of(fast.claimed()) : Optional.empty();
    }
    return db.write(
        c ->
            RunnerRegistry.markStarted(c, runnerId, at)
                ? Optional.of(claimIn(c, queue, runnerId, at, maxTimeout, leaseUntil, limit))
                : Optional.empty());
  }

  /**
   * The claim's pick: the ids of up to {@code limit} ready jobs of a queue, best first. Parameters:
   * runner id, queue, now, longest timeout, limit ({@link #claimParams}).
   */
  public static String claimPick(String rowLockClause) {
    return claimPick(rowLockClause, "?");
  }

  /** {@link #claimPick(String)} with its limit given by an expression of one parameter. */
  public static String claimPick(String rowLockClause, String limit) {
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
   * The claim's take: the picked jobs become the runner's, returned as {@link #claimedJob} reads
   * them. Parameters: runner id, now, lease end.
   */
  public static final String CLAIM_UPDATE =
      "UPDATE mayfly_jobs SET state = 'running', runner_id = ?,"
          + " attempts = attempts + 1, started_at = ?, lease_until = ?, finished_at = NULL"
          + " WHERE id IN (SELECT id FROM picked)"
          + " RETURNING id, type, queue, args, attempts, timeout_ms, enqueued_at,"
          + " priority, run_at, runner_id, started_at, max_attempts";

  /**
   * The claim: {@link #claimPick} as a materialized common table expression {@code picked}, then
   * {@link #CLAIM_UPDATE}. Parameters: {@link #claimParams}.
   */
  private String claimStatement() {
    return "WITH picked AS MATERIALIZED (" + claimPick(db.rowLockClause()) + ") " + CLAIM_UPDATE;
  }

  /** The parameters of {@link #claimPick} then {@link #CLAIM_UPDATE}, in order. */
  public static Object[] claimParams(
      String queue,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return new Object[] {
      runnerId,
      queue,
      now.toEpochMilli(),
      maxTimeout.toMillis(),
      limit,
      runnerId,
      now.toEpochMilli(),
      leaseUntil.toEpochMilli()
    };
  }

  /** A row of {@link #CLAIM_UPDATE}'s result, from its first column on. */
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

  /** {@link #claim} on a connection the caller owns. */
  private List<ClaimedJob> claimIn(
      Connection c,
      String queue,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit)
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
            claimStatement(),
            rs -> claimedJob(rs, now),
            claimParams(queue, runnerId, now, maxTimeout, leaseUntil, limit));
    // RETURNING gives no order; hand jobs out in claim order.
    claimed.sort(ClaimedJob.CLAIM_ORDER);
    return claimed;
  }

  /**
   * Records one outcome; one whose text the database refuses is recorded with a note in its place
   * ({@link #keptOf}), so the attempt still ends where it should.
   */
  public boolean finish(long jobId, String runnerId, Finish finish) {
    try {
      return db.write(c -> finishIn(c, jobId, runnerId, finish));
    } catch (StoreException e) {
      if (!Sql.isRowRefused(e) || finish instanceof Finish.Succeeded) {
        throw e;
      }
      return db.write(c -> finishIn(c, jobId, runnerId, keptOf(finish, e)));
    }
  }

  public List<Boolean> finishAll(String runnerId, List<Finished> outcomes) {
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
  private List<Boolean> finishOneByOne(String runnerId, List<Finished> outcomes) {
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

  private List<Boolean> finishAllIn(Connection c, String runnerId, List<Finished> outcomes)
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
   * Adds successes to the runner's count, which the overview's counts read ({@link #counts}); a
   * runner whose count was already folded into its queue's total (a success recorded after its end
   * was) is unfolded again, for the next prune to fold the rest. A runner with no row of its own (a
   * test's, or a tool's) counts into its queue's total at once.
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
      RunnerRegistry.addToTotals(c, byQueue);
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

  /**
   * Ends an insert into {@code mayfly_attempts}: a row already there for the same attempt number
   * (one a snooze gave back) is replaced by the attempt that ran under it again.
   */
  public static final String REPLACING_ATTEMPT =
      " ON CONFLICT (job_id, attempt) DO UPDATE SET runner_id = excluded.runner_id,"
          + " started_at = excluded.started_at, finished_at = excluded.finished_at,"
          + " outcome = excluded.outcome, error = excluded.error";

  /** Ends an insert into {@code mayfly_queue_totals}: adds to the queue's total. */
  public static final String ADDING_TO_TOTAL =
      " ON CONFLICT (queue) DO UPDATE"
          + " SET succeeded = mayfly_queue_totals.succeeded + excluded.succeeded";

  /** Parameters: job, attempt, runner, started at, finished at, outcome, error. */
  private static final String RECORD_ATTEMPT =
      "INSERT INTO mayfly_attempts (job_id, attempt, runner_id, started_at, finished_at,"
          + " outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
          + REPLACING_ATTEMPT;

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

  public void appendLog(long jobId, int attempt, List<LogLine> lines) {
    insertLines(
        db,
        "INSERT INTO mayfly_job_log (job_id, attempt, at, level, message) VALUES (?, ?, ?, ?, ?)",
        lines,
        jobId,
        attempt);
  }

  /**
   * The lines the job logged through its context, and those it printed, which live in its runners'
   * output only ({@link RunnerRegistry#appendRunnerOutput}): attempt by attempt, in time order, a
   * logged line first where the times are equal.
   */
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

  public void cancel(long jobId, Instant now) {
    db.write(
        c -> {
          update(
              c,
              "UPDATE mayfly_jobs SET state = 'cancelled', finished_at = ?, error = 'cancelled'"
                  + " WHERE id = ? AND state IN ('queued', 'failed')",
              now.toEpochMilli(),
              jobId);
          update(
              c,
              "UPDATE mayfly_jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'",
              jobId);
          return null;
        });
  }

  /** The reset of a job sent back to the queue; the parameter is when it is ready again. */
  private static final String REQUEUE =
      "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, finished_at = NULL,"
          + " cancel_requested = 0, max_attempts = CASE WHEN max_attempts > attempts"
          + " THEN max_attempts ELSE attempts + 1 END";

  private static final String RETRYABLE = "state IN ('dead', 'failed', 'cancelled')";

  /**
   * Sends a dead, failed or cancelled job back to the queue. Returns null if it went, or if it is
   * not one to retry; else the live job that holds its unique key, and nothing changed.
   */
  public @Nullable KeyHeld retry(long jobId, Instant now) {
    Set<String> queues = new HashSet<>();
    KeyHeld held =
        db.write(
            c -> {
              queues.clear();
              Retryable j =
                  one(
                      c,
                      "SELECT id, queue, unique_key FROM mayfly_jobs WHERE id = ? AND " + RETRYABLE,
                      Retryable::of,
                      jobId);
              if (j == null) {
                return null;
              }
              List<Long> retried = new ArrayList<>(1);
              KeyHeld refused = requeue(c, now, j, retried);
              if (!retried.isEmpty()) {
                queues.add(j.queue());
              }
              db.notifyReady(c, queues);
              return refused;
            });
    db.committed(queues);
    return held;
  }

  /**
   * Sends every dead job back to the queue whose unique key no live job holds. Of dead jobs sharing
   * a key, the newest goes back and holds the key; the others stay dead and are reported.
   */
  public RetriedDead retryDead(Instant now) {
    Set<String> queues = new HashSet<>();
    RetriedDead done =
        db.write(
            c -> {
              queues.clear(); // a transaction tried again starts from nothing
              List<Long> retried = new ArrayList<>();
              List<KeyHeld> refused = new ArrayList<>();
              // Jobs without a key go back in one statement; those with one, one by one (below).
              for (Retryable j :
                  list(
                      c,
                      REQUEUE
                          + " WHERE state = 'dead' AND unique_key IS NULL"
                          + " RETURNING id, queue, unique_key",
                      Retryable::of,
                      now.toEpochMilli())) {
                retried.add(j.id());
                queues.add(j.queue());
              }
              for (Retryable j :
                  list(
                      c,
                      "SELECT id, queue, unique_key FROM mayfly_jobs"
                          + " WHERE state = 'dead' AND unique_key IS NOT NULL ORDER BY id DESC",
                      Retryable::of)) {
                int before = retried.size();
                KeyHeld held = requeue(c, now, j, retried);
                if (held != null) {
                  refused.add(held);
                } else if (retried.size() > before) {
                  queues.add(j.queue());
                }
              }
              db.notifyReady(c, queues);
              retried.sort(null);
              return new RetriedDead(retried, refused);
            });
    db.committed(queues);
    return done;
  }

  private record Retryable(long id, String queue, @Nullable String uniqueKey) {
    static Retryable of(ResultSet rs) throws SQLException {
      return new Retryable(rs.getLong(1), rs.getString(2), rs.getString(3));
    }
  }

  /**
   * Requeues one job, if it is still one to retry (adding its id to {@code retried}) and no other
   * live job holds its unique key; else returns the job that does. A unique key is checked before
   * the update rather than left to the unique index: on PostgreSQL a refused statement aborts the
   * whole transaction, which would take every other retry in it down too.
   */
  private @Nullable KeyHeld requeue(Connection c, Instant now, Retryable j, List<Long> retried)
      throws SQLException {
    String key = j.uniqueKey();
    String sql = REQUEUE + " WHERE id = ? AND " + RETRYABLE;
    if (key == null) {
      if (update(c, sql, now.toEpochMilli(), j.id()) > 0) {
        retried.add(j.id());
      }
      return null;
    }
    Long holder = liveHolder(c, key, j.id());
    if (holder != null) {
      return new KeyHeld(j.id(), key, holder);
    }
    // Another node may enqueue a job with this key between the look and the update; the index
    // then refuses the update, and the savepoint keeps that from aborting the transaction.
    java.sql.Savepoint before = c.setSavepoint();
    try {
      if (update(c, sql, now.toEpochMilli(), j.id()) > 0) {
        retried.add(j.id());
      }
      c.releaseSavepoint(before);
      return null;
    } catch (SQLException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(before);
      Long winner = liveHolder(c, key, j.id());
      if (winner == null) {
        throw e;
      }
      return new KeyHeld(j.id(), key, winner);
    }
  }

  /** The unfinished job other than {@code jobId} with this unique key, if there is one. */
  private static @Nullable Long liveHolder(Connection c, String key, long jobId)
      throws SQLException {
    return one(
        c,
        "SELECT id FROM mayfly_jobs WHERE unique_key = ? AND state IN ('queued', 'running',"
            + " 'failed') AND id <> ?",
        rs -> rs.getLong(1),
        key,
        jobId);
  }
}
