package dev.mayfly.store.jdbc;

import dev.mayfly.store.jdbc.Sql.SqlWork;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * How the store reaches its database: connections and transactions, and the few things the
 * databases do differently in the statements every role shares (row locks, a queue's lock,
 * announcing new jobs). Each database says what it does for every one of them; nothing is left to a
 * default.
 *
 * <p>Two operations differ by more than that, and each has an object of its own, chosen where the
 * store is composed ({@link JdbcStore}): how jobs are inserted ({@link JobInserter}) and a runner's
 * two compound steps ({@link RunnerSteps}).
 */
public interface Dialect extends AutoCloseable {
  /** Runs {@code work} in one write transaction, committed if it returns. */
  <T extends @Nullable Object> T write(SqlWork<T> work);

  /** Runs {@code work} outside any explicit transaction. */
  <T extends @Nullable Object> T read(SqlWork<T> work);

  /** Runs work that is a single statement: where it can, in autocommit, one round trip. */
  <T extends @Nullable Object> T statement(SqlWork<T> work);

  /**
   * Appended to a SELECT that picks rows to update: {@code FOR UPDATE SKIP LOCKED} where the
   * database has row locks, empty where a write transaction already owns the database.
   */
  String rowLockClause();

  /**
   * Tells listeners in other processes, once {@code c} commits, that these queues have new jobs.
   */
  void notifyReady(Connection c, Set<String> queues) throws SQLException;

  /** Called after new jobs of these queues are committed: tells this process's listeners. */
  void committed(Set<String> queues);

  /** Serialises runner reservations for a queue within the current transaction. */
  void lockQueue(Connection c, String queue) throws SQLException;

  /** Calls {@code listener} with a queue's name when it may have new jobs. */
  AutoCloseable listen(Consumer<String> listener);

  @Override
  void close();
}
