package dev.mayfly.store.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;

/** Inserts that add to or replace a row already there, the same on every database. */
public final class Upserts {
  private Upserts() {}

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

  /** Adds to the queues' success totals (a negative number takes away). */
  static void addToTotals(Connection c, Map<String, Long> byQueue) throws SQLException {
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
}
