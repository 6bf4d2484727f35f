package dev.mayfly.store.postgres;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.protocol.PostgresUrl;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.connect.StoreProvider;
import dev.mayfly.store.jdbc.JdbcStore;
import dev.mayfly.store.jdbc.Migrations;
import dev.mayfly.store.jdbc.TransactionalSteps;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The production store on PostgreSQL, shared by every app node and every runner: connects (failing
 * fast with what to check), migrates the schema if needed, and composes the store from the SQL
 * every database shares and PostgreSQL's own ways: its {@link PostgresDatabase dialect}, jobs
 * inserted as arrays ({@link PostgresInserter}) and a runner's steps in one statement each ({@link
 * PostgresSteps}).
 */
public final class PostgresStoreProvider implements StoreProvider {
  private static final long MIGRATION_LOCK = 0x6d6179666c79L; // "mayfly"
  private static final Migrations MIGRATIONS =
      new Migrations(
          PostgresStoreProvider.class::getResourceAsStream,
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

  @Override
  public boolean accepts(String url) {
    return PostgresUrl.matches(url);
  }

  /**
   * Connects (failing fast with what to check), and migrates the schema if needed.
   *
   * <p>{@code poolSize}: the connections this process may hold (HikariCP's pool).
   */
  @Override
  public JobStore open(String rawUrl, int poolSize) {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    return open(url, ticker -> Connections.pool(url, poolSize), true);
  }

  /**
   * {@link #open(String, int)}, but only where Mayfly's tables are: a database without them is left
   * as it is.
   *
   * @throws dev.mayfly.store.NoStoreException if the database has no Mayfly schema
   */
  @Override
  public JobStore openExisting(String rawUrl, int poolSize) {
    PostgresUrl url = PostgresUrl.parse(rawUrl);
    return open(url, ticker -> Connections.pool(url, poolSize), false);
  }

  /**
   * Opens the store for a one-off runner: two plain connections (its work loop and heartbeat), no
   * pool, so that nothing but the first connection stands between the JVM's start and the first
   * claim.
   */
  @Override
  public JobStore openForRunner(String rawUrl) {
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
    return new JdbcStore(
        store,
        new PostgresInserter(store),
        new PostgresSteps(store, new TransactionalSteps(store)));
  }
}
