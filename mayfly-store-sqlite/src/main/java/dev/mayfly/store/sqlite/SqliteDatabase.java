package dev.mayfly.store.sqlite;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NoStoreException;
import dev.mayfly.store.StoreException;
import dev.mayfly.store.jdbc.Dialect;
import dev.mayfly.store.jdbc.JdbcStore;
import dev.mayfly.store.jdbc.Migrations;
import dev.mayfly.store.jdbc.RowByRowInserter;
import dev.mayfly.store.jdbc.Sql.SqlWork;
import dev.mayfly.store.jdbc.TransactionalSteps;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;
import org.sqlite.SQLiteOpenMode;

/**
 * The embedded database: one SQLite file shared by the app and every runner process.
 *
 * <p>Concurrency. SQLite allows one writer at a time per file; WAL mode lets readers go on while it
 * writes. Every process opens its own connection. Each write here is one {@code BEGIN IMMEDIATE}
 * transaction, which takes the write lock up front: a transaction that started as a reader and then
 * tried to write could fail with SQLITE_BUSY without waiting, while an immediate one waits its turn
 * (up to the busy timeout). Holding the database's only write lock is also what makes a claim or a
 * runner reservation atomic here. Within a process, one connection is shared under a lock.
 *
 * <p>Durability: {@code synchronous=NORMAL} in WAL mode survives a crash of any process; an OS
 * crash or power loss may lose the last transactions (the file stays consistent).
 *
 * <p>A local file costs no round trips, so the store runs the general statements: jobs inserted row
 * by row ({@link RowByRowInserter}), a runner's compound steps as one transaction each ({@link
 * TransactionalSteps}).
 */
final class SqliteDatabase implements Dialect {
  private static final int BUSY_TIMEOUT_MILLIS = 30_000;
  private static final Migrations MIGRATIONS =
      new Migrations(
          SqliteDatabase.class::getResourceAsStream,
          List.of(
              "V1__jobs_runners.sql",
              "V2__prune_index.sql",
              "V3__retries.sql",
              "V4__unique_keys.sql",
              "V5__runner_exits_index.sql",
              "V6__attempts_by_runner.sql",
              "V7__runners_by_queue.sql",
              "V8__queue_totals.sql",
              "V9__schedules.sql",
              "V10__output_by_job.sql"),
          "SELECT EXISTS (SELECT 1 FROM sqlite_master"
              + " WHERE type = 'table' AND name = 'mayfly_schema')");

  /**
   * Listeners by database file. SQLite cannot tell other processes about new jobs, but within one
   * process (the app and its in-process runners) it can.
   */
  private static final Map<Path, List<Consumer<String>>> LISTENERS = new ConcurrentHashMap<>();

  private final Connection connection;
  private final Path file;
  private final ReentrantLock lock = new ReentrantLock();

  private SqliteDatabase(Connection connection, Path file) {
    this.connection = connection;
    this.file = file;
  }

  @Override
  public AutoCloseable listen(Consumer<String> listener) {
    List<Consumer<String>> list =
        LISTENERS.computeIfAbsent(file, f -> new CopyOnWriteArrayList<>());
    list.add(listener);
    return () -> list.remove(listener);
  }

  /** Nothing: SQLite cannot tell other processes; {@link #committed} tells this one's listeners. */
  @Override
  public void notifyReady(Connection c, Set<String> queues) {}

  @Override
  public void committed(Set<String> queues) {
    List<Consumer<String>> list = LISTENERS.get(file);
    if (list != null) {
      for (Consumer<String> l : list) {
        queues.forEach(l);
      }
    }
  }

  static JobStore open(Path file) {
    return open(file, true);
  }

  /**
   * Opens the store in {@code file} only if Mayfly made one there: no file is created, and a file
   * without Mayfly's tables is left as it is.
   *
   * @throws NoStoreException if there is no such file or it holds no Mayfly store
   */
  static JobStore openExisting(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new NoStoreException(
          file.toString(), Files.exists(file) ? "it is not a file" : "no such file");
    }
    // A look through a read-only connection first: opening for writing sets the journal mode,
    // which writes to a file that may be another program's.
    SQLiteConfig readOnly = new SQLiteConfig();
    readOnly.setReadOnly(true);
    try (Connection c = readOnly.createConnection("jdbc:sqlite:" + file.toAbsolutePath())) {
      if (MIGRATIONS.current(c) == 0) {
        throw new NoStoreException(file.toString(), "the file holds no Mayfly tables");
      }
    } catch (SQLException e) {
      throw new StoreException(
          "cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
    }
    return open(file, false);
  }

  private static JobStore open(Path file, boolean create) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null && create) {
        Files.createDirectories(parent);
      }
      SQLiteConfig config = new SQLiteConfig();
      if (!create) {
        config.resetOpenMode(SQLiteOpenMode.CREATE); // a file deleted meanwhile stays deleted
      }
      config.setJournalMode(SQLiteConfig.JournalMode.WAL);
      config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
      config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
      config.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
      Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
      SqliteDatabase store = new SqliteDatabase(c, file.toAbsolutePath().normalize());
      // Every runner process opens the store: only take the write lock when there is work.
      int version = MIGRATIONS.current(c);
      if (version == 0 && !create) {
        c.close();
        throw new NoStoreException(file.toString(), "the file holds no Mayfly tables");
      }
      if (version != MIGRATIONS.latest()) {
        store.write(
            conn -> MIGRATIONS.migrate(conn, file.toString(), SystemTime.clock().instant()));
      }
      return new JdbcStore(store, new RowByRowInserter(store), new TransactionalSteps(store));
    } catch (SQLException | IOException e) {
      throw new StoreException(
          "cannot open the SQLite store at " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public <T extends @Nullable Object> T write(SqlWork<T> work) {
    lock.lock();
    try {
      for (int attempt = 1; ; attempt++) {
        try {
          connection.setAutoCommit(false);
          try {
            T result = work.run(connection);
            connection.commit();
            return result;
          } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
          } finally {
            connection.setAutoCommit(true);
          }
        } catch (SQLException e) {
          if (isBusy(e) && attempt < 5) {
            continue; // the busy timeout already waited; another process held the lock longer
          }
          throw new StoreException("SQLite store write failed: " + e.getMessage(), e);
        }
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public <T extends @Nullable Object> T read(SqlWork<T> work) {
    lock.lock();
    try {
      return work.run(connection);
    } catch (SQLException e) {
      throw new StoreException("SQLite store read failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }

  private static boolean isBusy(SQLException e) {
    return e instanceof SQLiteException se
        && (se.getResultCode().code == SQLiteErrorCode.SQLITE_BUSY.code
            || se.getResultCode().code == SQLiteErrorCode.SQLITE_LOCKED.code);
  }

  /** A single statement is a write transaction like any other: a local file has no round trips. */
  @Override
  public <T extends @Nullable Object> T statement(SqlWork<T> work) {
    return write(work);
  }

  /** None needed: a claim's write transaction holds the database's only write lock. */
  @Override
  public String rowLockClause() {
    return "";
  }

  /** None needed: a reservation's write transaction holds the database's only write lock. */
  @Override
  public void lockQueue(Connection c, String queue) {}

  @Override
  public void close() {
    lock.lock();
    try {
      connection.close();
    } catch (SQLException e) {
      throw new StoreException("closing the SQLite store failed: " + e.getMessage(), e);
    } finally {
      lock.unlock();
    }
  }
}
