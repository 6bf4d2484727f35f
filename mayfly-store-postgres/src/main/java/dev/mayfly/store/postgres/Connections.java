package dev.mayfly.store.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.mayfly.protocol.PostgresUrl;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.postgresql.Driver;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Where the PostgreSQL store's connections come from: a HikariCP pool for an app node, whose many
 * threads share connections for hours; a few plain connections for a one-off runner, whose two
 * threads need no pool threads, proxies or validation queries, and whose start-up pays for every
 * class they would load.
 */
sealed interface Connections {
  /** A connection for one unit of work; give it back with {@link #release}. */
  Connection borrow() throws SQLException;

  /** Gives back a borrowed connection; one that failed is dropped rather than used again. */
  void release(Connection c, boolean failed);

  void close();

  static Connections pool(PostgresUrl url, int size) throws SQLException {
    HikariConfig config = new HikariConfig();
    config.setDataSource(dataSource(url));
    if (url.user() != null) {
      config.setUsername(url.user());
    }
    if (url.password() != null) {
      config.setPassword(url.password());
    }
    config.setMaximumPoolSize(size);
    config.setMinimumIdle(1);
    config.setPoolName("mayfly");
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(5_000);
    try {
      return new Pooled(new HikariDataSource(config));
    } catch (HikariPool.PoolInitializationException e) {
      throw e.getCause() instanceof SQLException s ? s : new SQLException(e.getMessage(), e);
    }
  }

  private static PGSimpleDataSource dataSource(PostgresUrl url) {
    PGSimpleDataSource ds = new PGSimpleDataSource();
    ds.setURL(url.jdbcUrl());
    if (url.user() != null) {
      ds.setUser(url.user());
    }
    if (url.password() != null) {
      ds.setPassword(url.password());
    }
    return ds;
  }

  /** At most {@code size} connections, opened when first needed; the first one now. */
  static Connections few(PostgresUrl url, int size, LongSupplier ticker) throws SQLException {
    Plain plain = new Plain(url, size, ticker);
    plain.release(plain.borrow(), false); // fail fast, as the pool does, on a wrong URL or user
    return plain;
  }

  record Pooled(HikariDataSource pool) implements Connections {
    @Override
    public Connection borrow() throws SQLException {
      return pool.getConnection();
    }

    @Override
    public void release(Connection c, boolean failed) {
      try {
        c.close(); // back to the pool, which checks and resets it
      } catch (SQLException e) {
        // the pool discards it
      }
    }

    @Override
    public void close() {
      pool.close();
    }
  }

  final class Plain implements Connections {
    private static final long WAIT_MILLIS = 10_000;
    // The driver itself, not DriverManager, which would first look for drivers in every jar of
    // the class path.
    private static final Driver DRIVER = new Driver();

    private final String jdbcUrl;
    private final Properties login = new Properties();

    /** A connection unused for longer is checked before it is handed out, as HikariCP does. */
    private static final long CHECK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final Semaphore free;
    private final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private final LongSupplier ticker;

    private record Idle(Connection connection, long since) {}

    /** {@code ticker} times how long a connection sat unused. */
    Plain(PostgresUrl url, int size, LongSupplier ticker) {
      this.ticker = ticker;
      this.jdbcUrl = url.jdbcUrl();
      if (url.user() != null) {
        login.setProperty("user", url.user());
      }
      if (url.password() != null) {
        login.setProperty("password", url.password());
      }
      this.free = new Semaphore(size);
    }

    /** A connection of its own, outside the limit: for {@code LISTEN}. */
    Connection open() throws SQLException {
      Connection c = DRIVER.connect(jdbcUrl, login);
      if (c == null) {
        throw new SQLException("not a PostgreSQL URL: " + jdbcUrl);
      }
      return c;
    }

    @Override
    public Connection borrow() throws SQLException {
      try {
        if (!free.tryAcquire(WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          throw new SQLException(
              "no PostgreSQL connection came free within " + WAIT_MILLIS + " ms", "08001");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new SQLException("interrupted while waiting for a connection", "08001", e);
      }
      Idle kept;
      synchronized (idle) {
        kept = idle.poll();
      }
      try {
        if (kept != null && usable(kept)) {
          return kept.connection;
        }
        return open();
      } catch (SQLException | RuntimeException e) {
        free.release();
        throw e;
      }
    }

    /**
     * A connection the server may have ended while it sat unused (a restart, a failover) is not.
     */
    private boolean usable(Idle kept) {
      if (ticker.getAsLong() - kept.since < CHECK_AFTER_NANOS) {
        return true;
      }
      try {
        if (kept.connection.isValid(2)) {
          return true;
        }
      } catch (SQLException e) {
        // as broken
      }
      closeQuietly(kept.connection);
      return false;
    }

    @Override
    public void release(Connection c, boolean failed) {
      try {
        if (failed || c.isClosed()) {
          c.close();
        } else {
          c.setAutoCommit(true);
          synchronized (idle) {
            idle.push(new Idle(c, ticker.getAsLong()));
          }
        }
      } catch (SQLException e) {
        closeQuietly(c);
      } finally {
        free.release();
      }
    }

    @Override
    public void close() {
      synchronized (idle) {
        idle.forEach(i -> closeQuietly(i.connection));
        idle.clear();
      }
    }

    private static void closeQuietly(Connection c) {
      try {
        c.close();
      } catch (SQLException e) {
        // closing anyway
      }
    }
  }
}
