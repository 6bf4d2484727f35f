package dev.mayfly.store.jdbc;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.Recovered;
import dev.mayfly.store.RunnerUsage;
import dev.mayfly.store.StoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * The {@link JobStore} in SQL, shared by SQLite and PostgreSQL: the same tables, the same
 * statements, times as epoch milliseconds. Subclasses say how connections and transactions work and
 * add what only their database can do (row locks for claiming, advisory locks, notifications).
 */
public abstract class JdbcJobStore implements JobStore {
  private static final int BUSY_TIMEOUT_MILLIS = 30_000;
  private static final String JOB_COLUMNS =
      "id, type, queue, state, priority, attempts, runner_id, enqueued_at, run_at, started_at,"
          + " finished_at, error, args";
  private static final String RUNNER_COLUMNS =
      "id, queue, launcher, platform_id, size, state, launched_at, started_at, exited_at,"
          + " exit_code, jobs_run, error";

  private final String claimLockClause;

  /**
   * @param claimLockClause appended to the claim's and the lease renewal's inner SELECT: {@code FOR
   *     UPDATE SKIP LOCKED} where the database has row locks, empty where a transaction already
   *     owns the database
   */
  protected JdbcJobStore(String claimLockClause) {
    this.claimLockClause = claimLockClause;
  }

  // ---- jobs ----------------------------------------------------------------------------------

  @Override
  public long enqueue(NewJob job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  @Override
  public List<Long> enqueueAll(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    Set<String> queues = jobs.stream().map(NewJob::queue).collect(Collectors.toSet());
    if (jobs.size() == 1 && jobs.getFirst().uniqueKey() != null) {
      List<Long> id = List.of(enqueueUnique(jobs.getFirst()));
      committed(queues);
      return id;
    }
    List<Long> ids =
        write(
            c -> {
              List<Long> inserted = insertJobs(c, jobs);
              notifyReady(c, queues);
              return inserted;
            });
    committed(queues);
    return ids;
  }

  /**
   * The unfinished job with this key, or a new one. Two nodes may race past the lookup; the unique
   * index then refuses the second insert, and the second look finds the first job.
   */
  private long enqueueUnique(NewJob job) {
    for (int attempt = 1; ; attempt++) {
      try {
        return write(
            c -> {
              Long existing =
                  one(
                      c,
                      "SELECT id FROM mayfly_jobs WHERE unique_key = ?"
                          + " AND state IN ('queued', 'running', 'failed')",
                      rs -> rs.getLong(1),
                      job.uniqueKey());
              if (existing != null) {
                return existing;
              }
              long id =
                  one(
                      c,
                      "INSERT INTO mayfly_jobs (type, queue, args, state, priority, run_at,"
                          + " timeout_ms, max_attempts, enqueued_at, unique_key)"
                          + " VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?) RETURNING id",
                      rs -> rs.getLong(1),
                      job.type(),
                      job.queue(),
                      job.args(),
                      job.priority(),
                      job.runAt().toEpochMilli(),
                      job.timeout().toMillis(),
                      job.maxAttempts(),
                      job.enqueuedAt().toEpochMilli(),
                      job.uniqueKey());
              notifyReady(c, Set.of(job.queue()));
              return id;
            });
      } catch (StoreException e) {
        if (attempt >= 3 || !isUniqueViolation(e.getCause())) {
          throw e;
        }
      }
    }
  }

  private static boolean isUniqueViolation(Throwable t) {
    if (!(t instanceof SQLException e)) {
      return false;
    }
    String state = e.getSQLState();
    String message = String.valueOf(e.getMessage());
    return "23505".equals(state) || message.contains("UNIQUE constraint failed");
  }

  /** Inserts jobs in state queued; returns their ids in order. */
  protected List<Long> insertJobs(Connection c, List<NewJob> jobs) throws SQLException {
    List<Long> ids = new ArrayList<>(jobs.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO mayfly_jobs (type, queue, args, state, priority, run_at, timeout_ms,"
                + " max_attempts, enqueued_at) VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?)"
                + " RETURNING id")) {
      for (NewJob j : jobs) {
        ps.setString(1, j.type());
        ps.setString(2, j.queue());
        ps.setString(3, j.args());
        ps.setInt(4, j.priority());
        ps.setLong(5, j.runAt().toEpochMilli());
        ps.setLong(6, j.timeout().toMillis());
        ps.setInt(7, j.maxAttempts());
        ps.setLong(8, j.enqueuedAt().toEpochMilli());
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /** Tells listeners in other processes that these queues have new jobs (where supported). */
  protected void notifyReady(Connection c, Set<String> queues) throws SQLException {}

  /** Called after the jobs of {@link #enqueueAll} are committed. */
  protected void committed(Set<String> queues) {}

  /** Serialises runner reservations for a queue within the current transaction. */
  protected void lockQueue(Connection c, String queue) throws SQLException {}

  @Override
  public List<ClaimedJob> claim(
      String queue,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return write(c -> claimIn(c, queue, runnerId, now, maxTimeout, leaseUntil, limit));
  }

  @Override
  public FinishedAndClaimed finishAllAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queue,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return write(
        c ->
            new FinishedAndClaimed(
                finishAllIn(c, runnerId, outcomes),
                claimIn(c, queue, runnerId, now, maxTimeout, leaseUntil, limit)));
  }

  /**
   * The claim's pick: the ids of up to {@code limit} ready jobs of a queue, best first. Parameters:
   * runner id, queue, now, longest timeout, limit ({@link #claimParams}).
   */
  protected final String claimPick() {
    return "SELECT id FROM mayfly_jobs"
        + " WHERE state IN ('queued', 'failed')"
        // a runner already declared lost (or ended) takes nothing more: its slot may be someone
        // else's now
        + " AND NOT EXISTS (SELECT 1 FROM mayfly_runners r WHERE r.id = ?"
        + " AND r.state NOT IN ('launching', 'running'))"
        + " AND queue = ? AND run_at <= ? AND timeout_ms <= ?"
        + " ORDER BY priority DESC, run_at, id LIMIT ?"
        + claimLockClause;
  }

  /**
   * The claim's take: the picked jobs become the runner's, returned as {@link #claimedJob} reads
   * them. Parameters: runner id, now, lease end.
   */
  protected static final String CLAIM_UPDATE =
      "UPDATE mayfly_jobs SET state = 'running', runner_id = ?,"
          + " attempts = attempts + 1, started_at = ?, lease_until = ?, finished_at = NULL"
          + " WHERE id IN (SELECT id FROM picked)"
          + " RETURNING id, type, queue, args, attempts, timeout_ms, enqueued_at,"
          + " priority, run_at, runner_id, started_at, max_attempts";

  /**
   * The claim: {@link #claimPick} as a materialized common table expression {@code picked}, then
   * {@link #CLAIM_UPDATE}. Parameters: {@link #claimParams}.
   */
  protected final String claimStatement() {
    return "WITH picked AS MATERIALIZED (" + claimPick() + ") " + CLAIM_UPDATE;
  }

  /** The parameters of {@link #claimPick} then {@link #CLAIM_UPDATE}, in order. */
  protected static Object[] claimParams(
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
  protected static ClaimedJob claimedJob(ResultSet rs, Instant now) throws SQLException {
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
  protected final List<ClaimedJob> claimIn(
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

  @Override
  public boolean finish(long jobId, String runnerId, Finish finish) {
    return write(c -> finishIn(c, jobId, runnerId, finish));
  }

  @Override
  public List<Boolean> finishAll(String runnerId, List<Finished> outcomes) {
    return write(c -> finishAllIn(c, runnerId, outcomes));
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
      addToTotals(c, byQueue);
    }
  }

  /** An attempt that has just ended, read off its job's row as the job left state running. */
  private record EndedAttempt(long jobId, int attempt, long startedAt, String queue) {}

  /** What an update that ends attempts returns, read by {@link #ENDED}. */
  private static final String ENDED_RETURNING = " RETURNING id, attempts, started_at, queue";

  private static final RowMapper<EndedAttempt> ENDED =
      rs -> new EndedAttempt(rs.getLong(1), rs.getInt(2), rs.getLong(3), rs.getString(4));

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
      String error)
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
  protected static final String REPLACING_ATTEMPT =
      " ON CONFLICT (job_id, attempt) DO UPDATE SET runner_id = excluded.runner_id,"
          + " started_at = excluded.started_at, finished_at = excluded.finished_at,"
          + " outcome = excluded.outcome, error = excluded.error";

  /** Ends an insert into {@code mayfly_queue_totals}: adds to the queue's total. */
  protected static final String ADDING_TO_TOTAL =
      " ON CONFLICT (queue) DO UPDATE"
          + " SET succeeded = mayfly_queue_totals.succeeded + excluded.succeeded";

  /** Parameters: job, attempt, runner, started at, finished at, outcome, error. */
  private static final String RECORD_ATTEMPT =
      "INSERT INTO mayfly_attempts (job_id, attempt, runner_id, started_at, finished_at,"
          + " outcome, error) VALUES (?, ?, ?, ?, ?, ?, ?)"
          + REPLACING_ATTEMPT;

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
                  f.dead() ? null : f.retryAt().toEpochMilli(),
                  f.error(),
                  jobId,
                  runnerId);
          case Finish.Requeued r ->
              one(
                  c,
                  "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, lease_until = NULL,"
                      + " error = ?, attempts = attempts - ?"
                      + " WHERE id = ? AND runner_id = ? AND state = 'running'"
                      // the attempt that ended, before a snooze gave its number back
                      + " RETURNING id, attempts + ?, started_at, queue",
                  ENDED,
                  r.runAt().toEpochMilli(),
                  r.reason(),
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
                  d.reason(),
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
          case Finish.Requeued r -> r.countsAsAttempt() ? "retry" : "snoozed";
          case Finish.Discarded d -> "discarded";
        };
    String error =
        switch (finish) {
          case Finish.Succeeded s -> null;
          case Finish.Failed f -> f.error();
          case Finish.Requeued r -> r.reason();
          case Finish.Discarded d -> d.reason();
        };
    recordAttempts(c, runnerId, List.of(attempt), at, outcome, error);
    if (finish instanceof Finish.Succeeded) {
      countSuccesses(c, runnerId, List.of(attempt));
    } else {
      update(c, "UPDATE mayfly_runners SET jobs_run = jobs_run + 1 WHERE id = ?", runnerId);
    }
    return true;
  }

  @Override
  public void appendLog(long jobId, int attempt, List<LogLine> lines) {
    insertLines(
        "INSERT INTO mayfly_job_log (job_id, attempt, at, level, message) VALUES (?, ?, ?, ?, ?)",
        lines,
        jobId,
        attempt);
  }

  @Override
  public List<LogLine> jobLog(long jobId) {
    return read(
        c ->
            list(
                c,
                "SELECT at, level, message FROM mayfly_job_log WHERE job_id = ? ORDER BY id",
                JdbcJobStore::logLine,
                jobId));
  }

  @Override
  public Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil) {
    // A runner finishing a job locks the job's row, then its own runner row (to count it). So the
    // heartbeat takes the rows in the same order, and skips a job row that is locked: that job is
    // being finished (or cancelled) this instant, and its lease needs no renewal. Taking the runner
    // row first and then waiting for a job row deadlocked with the runner's own finish.
    return write(
        c -> {
          update(
              c,
              "UPDATE mayfly_jobs SET lease_until = ? WHERE id IN (SELECT id FROM mayfly_jobs"
                  + " WHERE runner_id = ? AND state = 'running'"
                  + claimLockClause
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
  public Optional<JobInfo> cancel(long jobId, Instant now) {
    write(
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
    return job(jobId, now);
  }

  @Override
  public Optional<JobInfo> retry(long jobId, Instant now) {
    write(c -> retryWhere(c, now, "id = ?", jobId));
    return job(jobId, now);
  }

  @Override
  public int retryDead(Instant now) {
    return write(c -> retryWhere(c, now, "state = 'dead'"));
  }

  private int retryWhere(Connection c, Instant now, String condition, Object... params)
      throws SQLException {
    List<Object> all = new ArrayList<>(List.of(now.toEpochMilli()));
    all.addAll(List.of(params));
    List<String> queues =
        list(
            c,
            "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, finished_at = NULL,"
                + " cancel_requested = 0, max_attempts = CASE WHEN max_attempts > attempts"
                + " THEN max_attempts ELSE attempts + 1 END"
                + " WHERE state IN ('dead', 'failed', 'cancelled') AND "
                + condition
                + " RETURNING queue",
            rs -> rs.getString(1),
            all.toArray());
    notifyReady(c, new HashSet<>(queues));
    return queues.size();
  }

  // ---- runners -------------------------------------------------------------------------------

  @Override
  public List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted) {
    return write(
        c -> {
          // Counted and inserted under the write lock: two dispatchers can never both see a free
          // slot and both fill it.
          lockQueue(c, runner.queue());
          long alive =
              one(
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
              one(
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
    write(
        c ->
            update(
                c, "UPDATE mayfly_runners SET platform_id = ? WHERE id = ?", platformId, runnerId));
  }

  @Override
  public void runnerLaunchFailed(String runnerId, String error, Instant at) {
    write(
        c ->
            update(
                c,
                "UPDATE mayfly_runners SET state = 'failed', error = ?, exited_at = ?"
                    + " WHERE id = ? AND state = 'launching'",
                error,
                at.toEpochMilli(),
                runnerId));
  }

  @Override
  public void runnerStarted(String runnerId, Instant at) {
    write(
        c ->
            update(
                c,
                "UPDATE mayfly_runners SET state = 'running', started_at = ?, heartbeat_at = ?"
                    + " WHERE id = ? AND state = 'launching'",
                at.toEpochMilli(),
                at.toEpochMilli(),
                runnerId));
  }

  @Override
  public boolean retireIfSurplus(String runnerId, String queue, Instant now) {
    // A read first: most polls of an idle runner find that it should stay, and need no write lock.
    if (!read(c -> surplus(c, runnerId, queue))) {
      return false;
    }
    return write(
        c -> {
          lockQueue(c, queue); // the same lock as reserveRunners: one view of the queue's fleet
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
    return read(
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
    return one(
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
  public void runnerExited(String runnerId, Integer exitCode, Instant at) {
    write(
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

  @Override
  public void appendRunnerOutput(String runnerId, List<LogLine> lines) {
    insertLines(
        "INSERT INTO mayfly_runner_output (runner_id, at, level, line) VALUES (?, ?, ?, ?)",
        lines,
        runnerId);
  }

  /** Inserts lines in one batch; {@code keys} come first, then each line's time, level, text. */
  private void insertLines(String sql, List<LogLine> lines, Object... keys) {
    if (lines.isEmpty()) {
      return;
    }
    write(
        c -> {
          try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (LogLine l : lines) {
              bind(ps, keys);
              ps.setLong(keys.length + 1, l.at().toEpochMilli());
              ps.setString(keys.length + 2, l.level());
              ps.setString(keys.length + 3, l.message());
              ps.addBatch();
            }
            ps.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<LogLine> runnerOutput(String runnerId) {
    return read(
        c ->
            list(
                c,
                "SELECT at, level, line FROM mayfly_runner_output WHERE runner_id = ? ORDER BY id",
                JdbcJobStore::logLine,
                runnerId));
  }

  @Override
  public Recovered recover(Instant now, Instant silentSince) {
    return write(
        c -> {
          long nowMs = now.toEpochMilli();
          List<Recovered.LostRunner> lost =
              list(
                  c,
                  "UPDATE mayfly_runners SET state = 'lost', exited_at = ?, error = ?"
                      + " WHERE state IN ('launching', 'running')"
                      + " AND COALESCE(heartbeat_at, launched_at) < ?"
                      + " RETURNING id, queue, launcher, platform_id",
                  rs ->
                      new Recovered.LostRunner(
                          rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)),
                  nowMs,
                  "no sign of life since before " + silentSince + "; its jobs were requeued",
                  silentSince.toEpochMilli());
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

  @Override
  public int prune(Instant finishedBefore) {
    long before = finishedBefore.toEpochMilli();
    return write(
        c -> {
          String finished =
              "SELECT id FROM mayfly_jobs WHERE state IN ('succeeded', 'failed', 'dead',"
                  + " 'cancelled') AND finished_at < ?";
          foldEndedRunners(c);
          uncountPrunedSuccesses(c, before);
          update(c, "DELETE FROM mayfly_job_log WHERE job_id IN (" + finished + ")", before);
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
          update(c, "DELETE FROM mayfly_runner_output WHERE runner_id IN (" + exited + ")", before);
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
                + claimLockClause,
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

  private static void addToTotals(Connection c, Map<String, Long> byQueue) throws SQLException {
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
  private int requeueOrphans(Connection c, long nowMs, String condition, Object... params)
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

  // ---- reading -------------------------------------------------------------------------------

  @Override
  public Optional<JobInfo> job(long jobId, Instant now) {
    return read(
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
    return read(c -> list(c, sql.toString(), rs -> jobInfo(rs, now), params.toArray()));
  }

  @Override
  public List<AttemptInfo> attempts(long jobId) {
    return read(
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
                        instant(rs, 5),
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
    return read(c -> list(c, sql.toString(), rs -> runnerInfo(rs, now), params.toArray()));
  }

  @Override
  public Optional<RunnerInfo> runner(String runnerId, Instant now) {
    return read(
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
    return read(
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
    return read(
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
                        instant(rs, 6),
                        instant(rs, 7),
                        rs.getInt(8),
                        Math.max(0, rs.getLong(9)) / 1000.0),
                nowMillis,
                since.toEpochMilli(),
                nowMillis));
  }

  @Override
  public double billedSeconds(Instant now) {
    return read(
            c ->
                one(
                    c,
                    "SELECT coalesce(sum(coalesce(exited_at, ?) - launched_at), 0)"
                        + " FROM mayfly_runners",
                    rs -> rs.getLong(1),
                    now.toEpochMilli()))
        / 1000.0;
  }

  @Override
  public Map<String, Long> finishedSince(Instant since) {
    return read(
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

  @Override
  public List<QueueDemand> demand(Instant now) {
    return read(
        c -> {
          Map<String, QueueDemand> byQueue = new LinkedHashMap<>();
          for (QueueDemand d :
              list(
                  c,
                  "SELECT queue, count(*) FROM mayfly_jobs WHERE state IN ('queued', 'failed')"
                      + " AND run_at <= ?"
                      + " GROUP BY queue",
                  rs -> new QueueDemand(rs.getString(1), rs.getLong(2), 0, 0, 0),
                  now.toEpochMilli())) {
            byQueue.put(d.queue(), d);
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
            long ready = byQueue.containsKey(q) ? byQueue.get(q).ready() : 0;
            byQueue.put(q, new QueueDemand(q, ready, launching, busy, idle));
          }
          return List.copyOf(byQueue.values());
        });
  }

  @Override
  public QueueHistory history(String queue, Instant now) {
    return read(
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
                one(
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

  private static Duration median(List<Long> millis) {
    if (millis.isEmpty()) {
      return null;
    }
    List<Long> sorted = new ArrayList<>(millis);
    sorted.sort(null);
    return Duration.ofMillis(sorted.get(sorted.size() / 2));
  }

  // ---- mapping -------------------------------------------------------------------------------

  private static JobInfo jobInfo(ResultSet rs, Instant now) throws SQLException {
    JobState state = JobState.parse(rs.getString("state"));
    Instant runAt = instant(rs, "run_at");
    if (state == JobState.QUEUED && runAt.isAfter(now)) {
      state = JobState.SCHEDULED;
    }
    return new JobInfo(
        rs.getLong("id"),
        rs.getString("type"),
        rs.getString("queue"),
        state,
        rs.getInt("priority"),
        rs.getInt("attempts"),
        rs.getString("runner_id"),
        instant(rs, "enqueued_at"),
        runAt,
        instant(rs, "started_at"),
        instant(rs, "finished_at"),
        rs.getString("error"),
        rs.getString("args"));
  }

  private static RunnerInfo runnerInfo(ResultSet rs, Instant now) throws SQLException {
    Instant launched = instant(rs, "launched_at");
    Instant exited = instant(rs, "exited_at");
    long billedMillis = (exited == null ? now : exited).toEpochMilli() - launched.toEpochMilli();
    int exitCode = rs.getInt("exit_code");
    Integer exit = rs.wasNull() ? null : exitCode;
    return new RunnerInfo(
        rs.getString("id"),
        rs.getString("queue"),
        rs.getString("launcher"),
        rs.getString("platform_id"),
        rs.getString("size"),
        RunnerState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        launched,
        instant(rs, "started_at"),
        exited,
        exit,
        rs.getInt("jobs_run"),
        Math.max(0, billedMillis) / 1000.0,
        rs.getString("error"));
  }

  private static LogLine logLine(ResultSet rs) throws SQLException {
    return new LogLine(instant(rs, 1), rs.getString(2), rs.getString(3));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  // ---- plumbing ------------------------------------------------------------------------------

  @FunctionalInterface
  protected interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  @FunctionalInterface
  protected interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs {@code work} in one write transaction, committed if it returns. */
  protected abstract <T> T write(SqlWork<T> work);

  /** Runs {@code work} outside any explicit transaction. */
  protected abstract <T> T read(SqlWork<T> work);

  protected static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      return ps.executeUpdate();
    }
  }

  protected static <T> List<T> list(Connection c, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, params);
      try (ResultSet rs = ps.executeQuery()) {
        List<T> out = new ArrayList<>();
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
        return out;
      }
    }
  }

  protected static <T> T one(Connection c, String sql, RowMapper<T> mapper, Object... params)
      throws SQLException {
    List<T> rows = list(c, sql, mapper, params);
    return rows.isEmpty() ? null : rows.getFirst();
  }

  protected static void bind(PreparedStatement ps, Object... params) throws SQLException {
    for (int i = 0; i < params.length; i++) {
      Object p = params[i];
      if (p == null) {
        ps.setNull(i + 1, Types.NULL);
      } else {
        ps.setObject(i + 1, p);
      }
    }
  }
}
