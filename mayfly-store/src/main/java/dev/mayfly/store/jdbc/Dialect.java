package dev.mayfly.store.jdbc;

import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.jdbc.Sql.SqlWork;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * What differs between the databases the store runs on: how connections and transactions work, and
 * what only one of them can do (row locks for claiming, advisory locks, notifications, statements
 * that do several things in one round trip). The store's parts ({@link JobQueue}, {@link
 * RunnerRegistry}, {@link StoreReads}) hold one and write the same SQL for both.
 */
public interface Dialect extends AutoCloseable {
  /** Runs {@code work} in one write transaction, committed if it returns. */
  <T extends @Nullable Object> T write(SqlWork<T> work);

  /** Runs {@code work} outside any explicit transaction. */
  <T extends @Nullable Object> T read(SqlWork<T> work);

  /** Runs work that is a single statement: where it can, in autocommit, one round trip. */
  default <T extends @Nullable Object> T statement(SqlWork<T> work) {
    return write(work);
  }

  /**
   * Appended to a SELECT that picks rows to update: {@code FOR UPDATE SKIP LOCKED} where the
   * database has row locks, empty where a write transaction already owns the database.
   */
  String rowLockClause();

  /** Inserts jobs in state queued; returns their ids in order. */
  default List<Long> insertJobs(Connection c, List<NewJob> jobs) throws SQLException {
    List<Long> ids = new ArrayList<>(jobs.size());
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO mayfly_jobs ("
                + JobQueue.NEW_JOB_COLUMNS
                + ") VALUES ("
                + JobQueue.NEW_JOB_VALUES
                + ") RETURNING id")) {
      for (NewJob j : jobs) {
        Sql.bind(ps, JobQueue.newJobValues(j));
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          ids.add(rs.getLong(1));
        }
      }
    }
    return ids;
  }

  /** Tells listeners in other processes that these queues have new jobs (where supported). */
  default void notifyReady(Connection c, Set<String> queues) throws SQLException {}

  /** Called after new jobs are committed. */
  default void committed(Set<String> queues) {}

  /** Serialises runner reservations for a queue within the current transaction. */
  default void lockQueue(Connection c, String queue) throws SQLException {}

  /** Calls {@code listener} with a queue's name when it may have new jobs. */
  AutoCloseable listen(Consumer<String> listener);

  /**
   * Enqueues one job without a unique key in a faster way than the general one, or returns null
   * where the database has none.
   */
  default @Nullable Long enqueueOne(NewJob job) {
    return null;
  }

  /**
   * Records these outcomes and claims the next jobs in one step, or returns null where the database
   * cannot (then the queue does it in one transaction of several statements).
   */
  default @Nullable FinishedAndClaimed succeedAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queue,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return null;
  }

  /**
   * Reports a runner in and claims its first jobs in one step, or returns null where the database
   * cannot (then the queue does it in one transaction of two statements).
   */
  default @Nullable Started startAndClaim(
      String runnerId,
      Instant at,
      String queue,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return null;
  }

  /** What {@link #startAndClaim} did: whether the process is the runner, and what it claimed. */
  record Started(boolean asRunner, List<ClaimedJob> claimed) {}

  @Override
  void close();
}
