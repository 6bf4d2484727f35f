package dev.mayfly.store.postgres;

import dev.mayfly.protocol.PostgresUrl;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.jdbc.Dialect;
import dev.mayfly.store.jdbc.Sql.SqlWork;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
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
final class PostgresDatabase implements Dialect {
  /** Where a pick takes rows: it locks them, and skips rows other claimers hold. */
  static final String ROW_LOCK = " FOR UPDATE SKIP LOCKED";

  /** The channel new jobs are announced on, with their queue's name. */
  static final String CHANNEL = "mayfly_jobs";

  private static final String PROBE = "__mayfly_probe__";
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

  PostgresDatabase(PostgresUrl url, Connections connections, LongSupplier ticker) {
    this.url = url;
    this.connections = connections;
    this.ticker = ticker;
    this.direct = new Connections.Plain(url, 1, ticker);
  }

  @Override
  public void notifyReady(Connection c, Set<String> queues) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify('" + CHANNEL + "', ?)")) {
      for (String q : queues) {
        ps.setString(1, q);
        ps.execute();
      }
    }
  }

  /** Nothing: the NOTIFY sent in the transaction reached every listener, this process's too. */
  @Override
  public void committed(Set<String> queues) {}

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
