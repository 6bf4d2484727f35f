package dev.mayfly.store.postgres;

import dev.mayfly.store.NewJob;
import dev.mayfly.store.jdbc.Dialect;
import dev.mayfly.store.jdbc.JobColumns;
import dev.mayfly.store.jdbc.JobInserter;
import dev.mayfly.store.jdbc.Sql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Jobs into PostgreSQL in the fewest round trips: a batch as arrays in one {@code INSERT}, one job
 * and its {@code NOTIFY} in one statement in autocommit.
 */
final class PostgresInserter implements JobInserter {
  private final Dialect db;

  PostgresInserter(Dialect db) {
    this.db = db;
  }

  /**
   * One job is one statement in autocommit: the insert and its NOTIFY together, a single round
   * trip, since enqueueing one job at a time from request threads is the common case.
   */
  @Override
  public long enqueueOne(NewJob j) {
    return db.read(
        c ->
            Sql.<Long>single(
                c,
                "WITH j AS (INSERT INTO mayfly_jobs ("
                    + JobColumns.COLUMNS
                    + ") VALUES ("
                    + JobColumns.VALUES
                    + ") RETURNING id, queue) SELECT id, pg_notify('"
                    + PostgresDatabase.CHANNEL
                    + "', queue) FROM j",
                rs -> rs.getLong(1),
                JobColumns.values(j)));
  }

  @Override
  public List<Long> insert(Connection c, List<NewJob> jobs) throws SQLException {
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
}
