package dev.mayfly.store.postgres;

import static dev.mayfly.store.jdbc.JobQueue.ADDING_TO_TOTAL;
import static dev.mayfly.store.jdbc.JobQueue.CLAIM_UPDATE;
import static dev.mayfly.store.jdbc.JobQueue.NEW_JOB_COLUMNS;
import static dev.mayfly.store.jdbc.JobQueue.NEW_JOB_VALUES;
import static dev.mayfly.store.jdbc.JobQueue.REPLACING_ATTEMPT;
import static dev.mayfly.store.jdbc.JobQueue.claimParams;
import static dev.mayfly.store.jdbc.JobQueue.claimPick;
import static dev.mayfly.store.jdbc.JobQueue.claimedJob;
import static dev.mayfly.store.jdbc.JobQueue.newJobValues;
import static dev.mayfly.store.jdbc.Sql.bind;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.jdbc.Dialect;
import dev.mayfly.store.jdbc.JdbcJobStore;
import dev.mayfly.store.jdbc.Migrations;
import dev.mayfly.store.jdbc.RunnerRegistry;
import dev.mayfly.store.jdbc.Sql;
import dev.mayfly.store.jdbc.Sql.SqlWork;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The production database: PostgreSQL, shared by every app node and every runner.
 *
 * <p>Claims lock the rows they take with {@code FOR UPDATE SKIP LOCKED}, so runners never queue
 * behind each other; runner reservations for a queue serialise on a transaction-scoped advisory
 * lock, so {@code maxRunners} holds across nodes. Both kinds of lock end with their transaction,
 * which keeps them working behind PgBouncer in transaction mode. New jobs are announced with {@code
 * NOTIFY}; where {@code LISTEN} cannot work (PgBouncer in transaction mode), listening is switched
 * off after a probe and everything falls back to polling.
 */
public final class PostgresDatabase implements Dialect {
  private static final String ROW_LOCK = " FOR UPDATE SKIP LOCKED";
  static final String CHANNEL = "mayfly_jobs";
  private static final String PROBE = "__mayfly_probe__";
  private static final long MIGRATION_LOCK = 0x6d6179666c79L; // "mayfly"
  private static final Migrations MIGRATIONS =
      new Migrations(
          PostgresDatabase.class,
          List.of(
              "V1__jobs_runners.sql",
              "V2__retries.sql",
              "V3__unique_keys.sql",
              "V4__runner_exits_index.sql",
              "V5__attempts_by_runner.sql",
              "V6__runners_by_queue.sql",
              "V7__queue_totals.sql",
              "V8__schedules.sql",
              "V9__output_by_job.sql"),
          "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables"
              + " WHERE schemaname = current_schema() AND tablename = 'mayfly_schema')");
  private static final AtomicBoolean LISTEN_WARNED = new AtomicBoolean();

  /**
   * The logger, made on first use: finding the logging backend looks through every jar of the class
   * path, which a runner that never logs should not pay for at start.
   */
  private static final class Log {
    static final System.Logger LOG = System.getLogger("dev.mayfly.store");
  }

  private final PostgresUrl url;
  private final Connections connections;
  private final Connections.Plain direct;
  private final LongSupplier ticker;

  private PostgresDatabase(PostgresUrl url, Connections connections, LongSupplier ticker) {
    this.url = url;
    this.connections = connections;
    this.ticker = ticker;
    this.direct = new Connections.Plain(url, 1, ticker);
  }

  /**
   * Connects (failing fast with what to check), and migrates the schema if needed.
   *
   * @param poolSize connections this process may hold (HikariCP's pool)
   */
  public static JobStore open(String rawUrl, int poolSize) {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    return open(url, ticker -> Connections.pool(url, poolSize), true);
  }

  /**
   * {@link #open(String, int)}, but only where Mayfly's tables are: a database without them is left
   * as it is.
   *
   * @throws dev.mayfly.store.NoStoreException if the database has no Mayfly schema
   */
  public static JobStore openExisting(String rawUrl, int poolSize) {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    return open(url, ticker -> Connections.pool(url, poolSize), false);
  }

  /**
   * Opens the store for a one-off runner: two plain connections (its work loop and heartbeat), no
   * pool, so that nothing but the first connection stands between the JVM's start and the first
   * claim.
   */
  public static JobStore openForRunner(String rawUrl) {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    return open(url, ticker -> Connections.few(url, 2, ticker), true);
  }

  private interface Connecting {
    Connections connect(LongSupplier ticker) throws SQLException;
  }

  /**
   * Opening a store is where a process is composed, so the time it keeps is the machine's: the
   * ticker of connection ages and of the {@code LISTEN} probe, and the instant migrations record.
   */
  private static JobStore open(PostgresUrl url, Connecting connecting, boolean create) {
    LongSupplier ticker = SystemTime.ticker();
    Connections pool;
    try {
      pool = connecting.connect(ticker);
    } catch (SQLException e) {
      throw new StoreException(
          "cannot connect to PostgreSQL at "
              + url
              + ": "
              + e.getMessage()
              + ". Check that the server runs and accepts this user, and the URL (--db,"
              + " MAYFLY_DATABASE_URL or DATABASE_URL)",
          e);
    }
    PostgresDatabase store = new PostgresDatabase(url, pool, ticker);
    try {
      int version = store.read(MIGRATIONS::current);
      if (version == 0 && !create) {
        throw new dev.mayfly.store.NoStoreException(
            url.toString(), "the database has no mayfly_schema table in its current schema");
      }
      if (version != MIGRATIONS.latest()) {
        store.write(
            c -> {
              // Nodes starting together take turns; the second finds the work done.
              try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK + ")");
              }
              return MIGRATIONS.migrate(c, url.toString(), SystemTime.clock().instant());
            });
      }
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
    return new JdbcJobStore(store);
  }

  /**
   * One job is one statement in autocommit: the insert and its NOTIFY together, a single round
   * trip, since enqueueing one job at a time from request threads is the common case.
   */
  @Override
  public Long enqueueOne(NewJob j) {
    return read(
        c ->
            Sql.<Long>single(
                c,
                "WITH j AS (INSERT INTO mayfly_jobs ("
                    + NEW_JOB_COLUMNS
                    + ") VALUES ("
                    + NEW_JOB_VALUES
                    + ") RETURNING id, queue) SELECT id, pg_notify('"
                    + CHANNEL
                    + "', queue) FROM j",
                rs -> rs.getLong(1),
                newJobValues(j)));
  }

  @Override
  public List<Long> insertJobs(Connection c, List<NewJob> jobs) throws SQLException {
    // Ids first, from the sequence, so they come back in the order of the list; then one INSERT
    // of arrays, which is many times faster than one INSERT per job.
    List<Long> ids = new ArrayList<>(jobs.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT nextval(pg_get_serial_sequence('mayfly_jobs', 'id'))"
                + " FROM generate_series(1, ?)")) {
      ps.setInt(1, jobs.size());
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
    }
    ids.sort(null);
    int n = jobs.size();
    Object[] id = new Object[n];
    Object[] type = new Object[n];
    Object[] queue = new Object[n];
    Object[] args = new Object[n];
    Object[] priority = new Object[n];
    Object[] runAt = new Object[n];
    Object[] timeout = new Object[n];
    Object[] maxAttempts = new Object[n];
    Object[] enqueuedAt = new Object[n];
    for (int i = 0; i < n; i++) {
      NewJob j = jobs.get(i);
      id[i] = ids.get(i);
      type[i] = j.type();
      queue[i] = j.queue();
      args[i] = Sql.storable(j.args());
      priority[i] = j.priority();
      runAt[i] = j.runAt().toEpochMilli();
      timeout[i] = j.timeout().toMillis();
      maxAttempts[i] = j.maxAttempts();
      enqueuedAt[i] = j.enqueuedAt().toEpochMilli();
    }
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO mayfly_jobs (id, type, queue, args, state, priority, run_at, timeout_ms,"
                + " max_attempts, enqueued_at) SELECT i, t, q, a, 'queued', p, r, tm, m, e FROM"
                + " unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::int[], ?::bigint[],"
                + " ?::bigint[], ?::int[], ?::bigint[]) AS x(i, t, q, a, p, r, tm, m, e)")) {
      ps.setArray(1, c.createArrayOf("bigint", id));
      ps.setArray(2, c.createArrayOf("text", type));
      ps.setArray(3, c.createArrayOf("text", queue));
      ps.setArray(4, c.createArrayOf("text", args));
      ps.setArray(5, c.createArrayOf("int4", priority));
      ps.setArray(6, c.createArrayOf("bigint", runAt));
      ps.setArray(7, c.createArrayOf("bigint", timeout));
      ps.setArray(8, c.createArrayOf("int4", maxAttempts));
      ps.setArray(9, c.createArrayOf("bigint", enqueuedAt));
      ps.executeUpdate();
    }
    return ids;
  }

  /**
   * The runner's common step, its jobs succeeded and it goes on, is one statement in autocommit:
   * the successes recorded (job, ended attempt, the runner's count) and the next jobs claimed, in
   * one round trip and one commit. Other outcomes take the general path, a transaction of several
   * statements.
   *
   * <p>The parts cannot see each other's rows: every part of a statement reads the same snapshot,
   * in which the jobs being finished are still running, so the pick never takes them; and no row is
   * written by two parts.
   */
  @Override
  public @Nullable FinishedAndClaimed succeedAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queue,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    long at = 0;
    for (Finished f : outcomes) {
      if (!(f.finish() instanceof Finish.Succeeded s)) {
        return null; // the general path
      }
      at = Math.max(at, s.at().toEpochMilli());
    }
    long finishedAt = at;
    Object[] ids = outcomes.stream().map(Finished::jobId).toArray();
    Set<Long> done = new HashSet<>();
    List<ClaimedJob> claimed =
        statement(
            c -> {
              done.clear();
              List<Object> params = new ArrayList<>();
              params.addAll(
                  List.of(finishedAt, c.createArrayOf("bigint", ids), runnerId, runnerId));
              params.addAll(
                  List.of(claimParams(queue, runnerId, now, maxTimeout, leaseUntil, limit)));
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
                      rows.add(claimedJob(rs, now));
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

  /** {@link #succeedAndClaim}'s statement. */
  private static final String SUCCEED_AND_CLAIM =
      "WITH done AS (UPDATE mayfly_jobs SET state = 'succeeded', finished_at = ?,"
          + " lease_until = NULL, error = NULL WHERE id = ANY(?) AND runner_id = ?"
          + " AND state = 'running'"
          + " RETURNING id, attempts, runner_id, started_at, finished_at, queue),"
          + " done_attempts AS (INSERT INTO mayfly_attempts (job_id, attempt, runner_id,"
          + " started_at, finished_at, outcome) SELECT id, attempts, runner_id, started_at,"
          + " finished_at, 'succeeded' FROM done"
          + REPLACING_ATTEMPT
          + "),"
          + " n AS (SELECT count(*) AS n FROM done),"
          + " counted AS (UPDATE mayfly_runners SET jobs_run = jobs_run + n.n,"
          + " succeeded = succeeded + n.n, folded = 0 FROM n WHERE id = ? AND n.n > 0"
          + " RETURNING id),"
          // a runner with no row of its own (a test's, a tool's) counts into the queue's total
          + " uncounted AS (INSERT INTO mayfly_queue_totals (queue, succeeded)"
          + " SELECT queue, count(*) FROM done WHERE NOT EXISTS (SELECT 1 FROM counted)"
          + " GROUP BY queue"
          + ADDING_TO_TOTAL
          + "),"
          + " picked AS MATERIALIZED ("
          + claimPick(ROW_LOCK)
          + "), claimed AS ("
          + CLAIM_UPDATE
          + ")"
          // One row even when nothing was claimed: the claimed job's columns (or nulls), then the
          // ids of the jobs recorded as succeeded. The order matters: the outer side of this join
          // runs first, so the runner's own jobs are recorded before it picks. A pick can leave a
          // row locked that it passed over (a job another runner claimed a moment earlier, seen
          // through an older snapshot), and two runners that each picked first held each other's
          // finished job while waiting to record their own: a deadlock.
          + " SELECT c.*, d.ids FROM (SELECT array_agg(id) AS ids FROM done) AS d"
          + " LEFT JOIN claimed c ON true";

  /**
   * A runner's first step is one statement: it reports in and claims, in one round trip and one
   * commit. The pick takes nothing unless the report-in changed the runner's row: the limit is
   * multiplied by the number of rows it changed, one or none.
   */
  @Override
  public Started startAndClaim(
      String runnerId,
      Instant at,
      String queue,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    List<Object> params = new ArrayList<>(List.of(at.toEpochMilli(), at.toEpochMilli(), runnerId));
    params.addAll(List.of(claimParams(queue, runnerId, at, maxTimeout, leaseUntil, limit)));
    return statement(
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
                  claimed.add(claimedJob(rs, at));
                }
              }
            }
          }
          claimed.sort(ClaimedJob.CLAIM_ORDER);
          return new Started(asRunner, claimed);
        });
  }

  /** {@link #startAndClaim}'s statement. */
  private static final String START_AND_CLAIM =
      "WITH started AS ("
          + RunnerRegistry.MARK_STARTED
          + " RETURNING id),"
          + " picked AS MATERIALIZED ("
          + claimPick(ROW_LOCK, "(SELECT count(*) FROM started) * ?")
          + "), claimed AS ("
          + CLAIM_UPDATE
          + ")"
          // one row even when nothing was claimed: the claimed job's columns (or nulls), then
          // whether the runner reported in
          + " SELECT c.*, s.n FROM (SELECT count(*) AS n FROM started) AS s"
          + " LEFT JOIN claimed c ON true";

  @Override
  public void notifyReady(Connection c, Set<String> queues) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
      for (String q : queues) {
        ps.setString(1, q);
        ps.execute();
      }
    }
  }

  @Override
  public void lockQueue(Connection c, String queue) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext('mayfly.runners:' || ?))")) {
      ps.setString(1, queue);
      ps.execute();
    }
  }

  /**
   * Listens on its own connection (not one of the pool's: a pooled connection may be handed to
   * someone else). After {@code LISTEN} it sends itself a probe; if the probe does not come back,
   * notifications cannot reach this process (typically PgBouncer in transaction mode) and listening
   * stops, logged once: polling still finds every job.
   */
  @Override
  public AutoCloseable listen(Consumer<String> listener) {
    AtomicBoolean open = new AtomicBoolean(true);
    AtomicReference<Connection> current = new AtomicReference<>();
    // A platform thread: a virtual one would start the JDK's socket poller, which costs a runner
    // 300 ms at exit. Closing the connection is what ends its wait for a notification.
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("mayfly-listen")
            .start(
                () -> {
                  long backoff = 500;
                  while (open.get()) {
                    try (Connection c = connectDirect()) {
                      current.set(c);
                      if (!open.get() || !subscribe(c)) {
                        return;
                      }
                      listener.accept(JobStore.ANY_QUEUE); // what came before is not announced
                      backoff = 500;
                      PGConnection pg = c.unwrap(PGConnection.class);
                      while (open.get()) {
                        PGNotification[] ns = pg.getNotifications(500);
                        if (ns != null) {
                          for (PGNotification n : ns) {
                            if (!PROBE.equals(n.getParameter())) {
                              listener.accept(n.getParameter());
                            }
                          }
                        }
                      }
                    } catch (SQLException | RuntimeException e) {
                      if (!open.get()) {
                        return;
                      }
                      Log.LOG.log(
                          Level.DEBUG,
                          "LISTEN connection lost ({0}); reconnecting in {1} ms",
                          e.getMessage(),
                          backoff);
                      sleepQuietly(backoff);
                      backoff = Math.min(backoff * 2, 30_000);
                    }
                  }
                });
    return () -> {
      open.set(false);
      Connection c = current.get();
      if (c != null) {
        try {
          c.close();
        } catch (SQLException e) {
          // closing anyway
        }
      }
      t.interrupt();
      t.join(1_000);
    };
  }

  /** LISTENs and checks a probe comes back; false (logged once) if notifications cannot work. */
  private boolean subscribe(Connection c) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute("LISTEN " + CHANNEL);
    }
    write(
        w -> {
          try (Statement st = w.createStatement()) {
            st.execute("SELECT pg_notify('" + CHANNEL + "', '" + PROBE + "')");
          }
          return null;
        });
    PGConnection pg = c.unwrap(PGConnection.class);
    long deadline = ticker.getAsLong() + TimeUnit.SECONDS.toNanos(3);
    while (ticker.getAsLong() < deadline) {
      PGNotification[] ns = pg.getNotifications(250);
      if (ns != null) {
        for (PGNotification n : ns) {
          if (PROBE.equals(n.getParameter())) {
            return true;
          }
        }
      }
    }
    if (LISTEN_WARNED.compareAndSet(false, true)) {
      Log.LOG.log(
          Level.WARNING,
          "PostgreSQL notifications do not reach this process (PgBouncer in transaction mode?);"
              + " Mayfly will find new jobs by polling instead");
    }
    return false;
  }

  private Connection connectDirect() throws SQLException {
    return direct.open();
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis); // reconnect backoff
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public <T extends @Nullable Object> T write(SqlWork<T> work) {
    return retried(() -> inTransaction(work));
  }

  /**
   * Runs one statement in autocommit, which is a transaction of its own: one round trip, no BEGIN
   * or COMMIT. Retried like {@link #write} on another connection after a transient failure; should
   * the server have committed before the connection failed, what the statement took comes back to
   * the queue when its lease ends (at least once).
   */
  @Override
  public <T extends @Nullable Object> T statement(SqlWork<T> work) {
    return retried(() -> autocommit(work));
  }

  @Override
  public <T extends @Nullable Object> T read(SqlWork<T> work) {
    try {
      return autocommit(work);
    } catch (SQLException e) {
      throw new StoreException("PostgreSQL store (" + url + ") read failed: " + e.getMessage(), e);
    }
  }

  private interface Step<T extends @Nullable Object> {
    T run() throws SQLException;
  }

  /** Runs a write step, again on another connection after a transient failure (up to 5 tries). */
  private <T extends @Nullable Object> T retried(Step<T> step) {
    for (int attempt = 1; ; attempt++) {
      try {
        return step.run();
      } catch (SQLException e) {
        if (isTransient(e) && attempt < 5) {
          sleepQuietly(50L * attempt);
          continue;
        }
        throw new StoreException(
            "PostgreSQL store (" + url + ") write failed: " + e.getMessage(), e);
      }
    }
  }

  private <T extends @Nullable Object> T inTransaction(SqlWork<T> work) throws SQLException {
    Connection c = connections.borrow();
    boolean failed = true;
    try {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        failed = false;
        return result;
      } catch (SQLException | RuntimeException e) {
        failed = rollbackFails(c);
        throw e;
      }
    } finally {
      connections.release(c, failed);
    }
  }

  private <T extends @Nullable Object> T autocommit(SqlWork<T> work) throws SQLException {
    Connection c = connections.borrow();
    boolean failed = true;
    try {
      T result = work.run(c);
      failed = false;
      return result;
    } finally {
      connections.release(c, failed);
    }
  }

  /** Rolls back; true if even that failed, so the connection is broken. */
  private static boolean rollbackFails(Connection c) {
    try {
      c.rollback();
      return false;
    } catch (SQLException broken) {
      return true;
    }
  }

  /**
   * Serialisation failures, deadlocks, lost connections and connections the server ended (a
   * restart, {@code pg_terminate_backend}): worth another try, on another connection.
   */
  private static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state != null
        && (state.equals("40001")
            || state.equals("40P01")
            || state.startsWith("08")
            || state.startsWith("57P0"));
  }

  @Override
  public String rowLockClause() {
    return ROW_LOCK;
  }

  @Override
  public void close() {
    connections.close();
  }
}
