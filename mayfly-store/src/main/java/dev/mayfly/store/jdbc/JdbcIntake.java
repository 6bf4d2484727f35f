package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.JobInfo;
import dev.mayfly.store.Intake;
import dev.mayfly.store.KeyHeld;
import dev.mayfly.store.KeyHeldException;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.RetriedDead;
import dev.mayfly.store.StoreException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The {@link Intake} in SQL: jobs in (plain, unique, in the app's transaction), cancelled and
 * retried. The statements are the same on every database but the insert itself, which is the
 * database's {@link JobInserter}; new jobs are announced through the {@link Dialect}.
 */
final class JdbcIntake implements Intake {
  private final Dialect db;
  private final JobInserter inserter;
  private final ReadModel reads;

  JdbcIntake(Dialect db, JobInserter inserter, ReadModel reads) {
    this.db = db;
    this.inserter = inserter;
    this.reads = reads;
  }

  @Override
  public long enqueue(NewJob job) {
    return enqueueAll(List.of(job)).getFirst();
  }

  @Override
  public List<Long> enqueueAll(List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    if (jobs.size() == 1 && jobs.getFirst().uniqueKey() == null) {
      return List.of(inserter.enqueueOne(jobs.getFirst()));
    }
    Set<String> queues = jobs.stream().map(NewJob::queue).collect(Collectors.toSet());
    if (jobs.size() == 1) {
      List<Long> id = List.of(enqueueUnique(jobs.getFirst()));
      db.committed(queues);
      return id;
    }
    List<Long> ids =
        db.write(
            c -> {
              List<Long> inserted = inserter.insert(c, jobs);
              db.notifyReady(c, queues);
              return inserted;
            });
    db.committed(queues);
    return ids;
  }

  /**
   * {@link Intake#enqueueAllOn}: the same inserts on the caller's connection, in its transaction. A
   * unique job's insert runs under a savepoint, so an insert the unique index refuses (another
   * transaction made the job first) does not abort the caller's transaction.
   */
  @Override
  public List<Long> enqueueAllOn(Connection c, List<NewJob> jobs) {
    if (jobs.isEmpty()) {
      return List.of();
    }
    try {
      List<Long> ids = new ArrayList<>(jobs.size());
      if (jobs.stream().allMatch(j -> j.uniqueKey() == null)) {
        ids.addAll(inserter.insert(c, jobs));
      } else {
        for (NewJob j : jobs) {
          ids.add(
              j.uniqueKey() == null ? inserter.insert(c, List.of(j)).getFirst() : uniqueOn(c, j));
        }
      }
      db.notifyReady(c, jobs.stream().map(NewJob::queue).collect(Collectors.toSet()));
      return ids;
    } catch (SQLException e) {
      throw new StoreException("enqueueing in the app's transaction failed: " + e.getMessage(), e);
    }
  }

  private long uniqueOn(Connection c, NewJob job) throws SQLException {
    Long existing = unfinishedWithKey(c, job);
    if (existing != null) {
      return existing;
    }
    java.sql.Savepoint before = c.setSavepoint();
    try {
      long id = insertUnique(c, job);
      c.releaseSavepoint(before);
      return id;
    } catch (SQLException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(before);
      Long first = unfinishedWithKey(c, job);
      if (first == null) {
        throw e;
      }
      return first;
    }
  }

  private static long insertUnique(Connection c, NewJob job) throws SQLException {
    List<Object> values = new ArrayList<>(List.of(JobColumns.values(job)));
    values.add(job.uniqueKey());
    return single(
        c,
        "INSERT INTO mayfly_jobs ("
            + JobColumns.COLUMNS
            + ", unique_key) VALUES ("
            + JobColumns.VALUES
            + ", ?) RETURNING id",
        rs -> rs.getLong(1),
        values.toArray());
  }

  private static @Nullable Long unfinishedWithKey(Connection c, NewJob job) throws SQLException {
    return one(
        c,
        "SELECT id FROM mayfly_jobs WHERE unique_key = ? AND state IN ('queued', 'running',"
            + " 'failed')",
        rs -> rs.getLong(1),
        job.uniqueKey());
  }

  /**
   * The unfinished job with this key, or a new one, in a transaction of its own: the same steps as
   * in the app's transaction ({@link #uniqueOn}), so unique enqueue has one implementation.
   */
  private long enqueueUnique(NewJob job) {
    return db.write(
        c -> {
          long id = uniqueOn(c, job);
          db.notifyReady(c, Set.of(job.queue()));
          return id;
        });
  }

  private static boolean isUniqueViolation(@Nullable Throwable t) {
    if (!(t instanceof SQLException e)) {
      return false;
    }
    String state = e.getSQLState();
    String message = String.valueOf(e.getMessage());
    return "23505".equals(state) || message.contains("UNIQUE constraint failed");
  }

  @Override
  public Optional<JobInfo> cancel(long jobId, Instant now) {
    db.write(
        c -> {
          update(
              c,
              "UPDATE mayfly_jobs SET state = 'cancelled', finished_at = ?, error = 'cancelled'"
                  + " WHERE id = ? AND state IN ('queued', 'failed')",
              now.toEpochMilli(),
              jobId);
          update(
              c,
              "UPDATE mayfly_jobs SET cancel_requested = 1 WHERE id = ? AND state = 'running'",
              jobId);
          return null;
        });
    return reads.job(jobId, now);
  }

  /** The reset of a job sent back to the queue; the parameter is when it is ready again. */
  private static final String REQUEUE =
      "UPDATE mayfly_jobs SET state = 'queued', run_at = ?, finished_at = NULL,"
          + " cancel_requested = 0, max_attempts = CASE WHEN max_attempts > attempts"
          + " THEN max_attempts ELSE attempts + 1 END";

  private static final String RETRYABLE = "state IN ('dead', 'failed', 'cancelled')";

  /**
   * Sends a dead, failed or cancelled job back to the queue, unless another live job holds its
   * unique key: then nothing changes, and the caller is told which job holds it.
   */
  @Override
  public Optional<JobInfo> retry(long jobId, Instant now) {
    Set<String> queues = new HashSet<>();
    KeyHeld held =
        db.write(
            c -> {
              queues.clear();
              Retryable j =
                  one(
                      c,
                      "SELECT id, queue, unique_key FROM mayfly_jobs WHERE id = ? AND " + RETRYABLE,
                      Retryable::of,
                      jobId);
              if (j == null) {
                return null;
              }
              List<Long> retried = new ArrayList<>(1);
              KeyHeld refused = requeue(c, now, j, retried);
              if (!retried.isEmpty()) {
                queues.add(j.queue());
              }
              db.notifyReady(c, queues);
              return refused;
            });
    db.committed(queues);
    if (held != null) {
      throw new KeyHeldException(held);
    }
    return reads.job(jobId, now);
  }

  /**
   * Sends every dead job back to the queue whose unique key no live job holds. Of dead jobs sharing
   * a key, the newest goes back and holds the key; the others stay dead and are reported.
   */
  @Override
  public RetriedDead retryDead(Instant now) {
    Set<String> queues = new HashSet<>();
    RetriedDead done =
        db.write(
            c -> {
              queues.clear(); // a transaction tried again starts from nothing
              List<Long> retried = new ArrayList<>();
              List<KeyHeld> refused = new ArrayList<>();
              // Jobs without a key go back in one statement; those with one, one by one (below).
              for (Retryable j :
                  list(
                      c,
                      REQUEUE
                          + " WHERE state = 'dead' AND unique_key IS NULL"
                          + " RETURNING id, queue, unique_key",
                      Retryable::of,
                      now.toEpochMilli())) {
                retried.add(j.id());
                queues.add(j.queue());
              }
              for (Retryable j :
                  list(
                      c,
                      "SELECT id, queue, unique_key FROM mayfly_jobs"
                          + " WHERE state = 'dead' AND unique_key IS NOT NULL ORDER BY id DESC",
                      Retryable::of)) {
                int before = retried.size();
                KeyHeld held = requeue(c, now, j, retried);
                if (held != null) {
                  refused.add(held);
                } else if (retried.size() > before) {
                  queues.add(j.queue());
                }
              }
              db.notifyReady(c, queues);
              retried.sort(null);
              return new RetriedDead(retried, refused);
            });
    db.committed(queues);
    return done;
  }

  private record Retryable(long id, String queue, @Nullable String uniqueKey) {
    static Retryable of(ResultSet rs) throws SQLException {
      return new Retryable(rs.getLong(1), rs.getString(2), rs.getString(3));
    }
  }

  /**
   * Requeues one job, if it is still one to retry (adding its id to {@code retried}) and no other
   * live job holds its unique key; else returns the job that does. A unique key is checked before
   * the update rather than left to the unique index: on PostgreSQL a refused statement aborts the
   * whole transaction, which would take every other retry in it down too.
   */
  private @Nullable KeyHeld requeue(Connection c, Instant now, Retryable j, List<Long> retried)
      throws SQLException {
    String key = j.uniqueKey();
    String sql = REQUEUE + " WHERE id = ? AND " + RETRYABLE;
    if (key == null) {
      if (update(c, sql, now.toEpochMilli(), j.id()) > 0) {
        retried.add(j.id());
      }
      return null;
    }
    Long holder = liveHolder(c, key, j.id());
    if (holder != null) {
      return new KeyHeld(j.id(), key, holder);
    }
    // Another node may enqueue a job with this key between the look and the update; the index
    // then refuses the update, and the savepoint keeps that from aborting the transaction.
    java.sql.Savepoint before = c.setSavepoint();
    try {
      if (update(c, sql, now.toEpochMilli(), j.id()) > 0) {
        retried.add(j.id());
      }
      c.releaseSavepoint(before);
      return null;
    } catch (SQLException e) {
      if (!isUniqueViolation(e)) {
        throw e;
      }
      c.rollback(before);
      Long winner = liveHolder(c, key, j.id());
      if (winner == null) {
        throw e;
      }
      return new KeyHeld(j.id(), key, winner);
    }
  }

  /** The unfinished job other than {@code jobId} with this unique key, if there is one. */
  private static @Nullable Long liveHolder(Connection c, String key, long jobId)
      throws SQLException {
    return one(
        c,
        "SELECT id FROM mayfly_jobs WHERE unique_key = ? AND state IN ('queued', 'running',"
            + " 'failed') AND id <> ?",
        rs -> rs.getLong(1),
        key,
        jobId);
  }
}
