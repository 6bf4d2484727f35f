package dev.mayfly.store.jdbc;

import dev.mayfly.store.NewJob;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * How a database inserts new jobs: what enqueuing, a schedule's fire and an app's own transaction
 * all go through. SQLite inserts row by row ({@link RowByRowInserter}); PostgreSQL inserts a batch
 * as arrays in one statement, and one job with its announcement in one round trip.
 */
public interface JobInserter {
  /**
   * Inserts jobs in state queued through {@code c}, in its transaction; returns their ids in order.
   * Announcing them is the caller's ({@link Dialect#notifyReady}).
   */
  List<Long> insert(Connection c, List<NewJob> jobs) throws SQLException;

  /**
   * Enqueues one job without a unique key: inserted, committed and announced, the way the database
   * does it in the fewest round trips, since one job at a time from request threads is the common
   * case.
   */
  long enqueueOne(NewJob job);
}
