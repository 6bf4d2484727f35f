package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.JobState;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.ScheduleState;
import dev.mayfly.store.ScheduleStore;
import dev.mayfly.store.StoredSchedule;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The {@link ScheduleStore} in SQL, the same statements on every database. Handling a time is a
 * compare-and-set on the schedule's row in the transaction that enqueues its job ({@link
 * JobInserter}).
 */
final class JdbcSchedules implements ScheduleStore {
  private final Dialect db;
  private final JobInserter inserter;

  JdbcSchedules(Dialect db, JobInserter inserter) {
    this.db = db;
    this.inserter = inserter;
  }

  /**
   * Makes the stored schedules exactly {@code schedules}: a new one is due from {@code now}, a
   * changed one keeps the last time it handled, and one no longer listed is deleted.
   */
  @Override
  public void defineSchedules(List<StoredSchedule> schedules, Instant now) {
    db.write(
        c -> {
          Set<String> names = new HashSet<>();
          for (StoredSchedule s : schedules) {
            names.add(s.name());
            update(
                c,
                "INSERT INTO mayfly_schedules"
                    + " (name, cron, zone, job_type, args, queue, catch_up, overlap, since)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
                    + " cron = excluded.cron, zone = excluded.zone, job_type = excluded.job_type,"
                    + " args = excluded.args, queue = excluded.queue,"
                    + " catch_up = excluded.catch_up, overlap = excluded.overlap",
                s.name(),
                s.cron(),
                s.zone(),
                s.jobType(),
                s.args(),
                s.queue(),
                s.catchUp(),
                s.overlap(),
                now.toEpochMilli());
          }
          for (String stored :
              list(c, "SELECT name FROM mayfly_schedules", rs -> rs.getString(1))) {
            if (!names.contains(stored)) {
              update(c, "DELETE FROM mayfly_schedules WHERE name = ?", stored);
            }
          }
          return null;
        });
  }

  @Override
  public List<ScheduleState> schedules() {
    return db.read(
        c ->
            list(
                c,
                "SELECT s.name, s.cron, s.zone, s.job_type, s.args, s.queue, s.catch_up,"
                    + " s.overlap, s.paused, s.since, s.last_fire, s.last_job_id, j.state,"
                    + " s.fired, s.skipped FROM mayfly_schedules s"
                    + " LEFT JOIN mayfly_jobs j ON j.id = s.last_job_id ORDER BY s.name",
                JdbcSchedules::state));
  }

  private static ScheduleState state(ResultSet rs) throws SQLException {
    long lastJob = rs.getLong("last_job_id");
    boolean hasJob = !rs.wasNull();
    String jobState = rs.getString("state");
    return new ScheduleState(
        new StoredSchedule(
            rs.getString("name"),
            rs.getString("cron"),
            rs.getString("zone"),
            rs.getString("job_type"),
            rs.getString("args"),
            rs.getString("queue"),
            rs.getString("catch_up"),
            rs.getString("overlap")),
        rs.getInt("paused") != 0,
        Instant.ofEpochMilli(rs.getLong("since")),
        Rows.instantOrNull(rs, "last_fire"),
        hasJob ? lastJob : null,
        jobState == null ? null : JobState.parse(jobState),
        rs.getLong("fired"),
        rs.getLong("skipped"));
  }

  /**
   * Handles fire time {@code at} of a schedule by enqueuing {@code job}, if the last time the
   * schedule handled is still {@code last} and it is not paused. Returns the job's id, or null when
   * another dispatcher handled the time first (or the schedule was paused or removed).
   */
  @Override
  public @Nullable Long fireSchedule(String name, @Nullable Instant last, Instant at, NewJob job) {
    Long id =
        db.write(
            c -> {
              if (!handle(c, name, last, at, "fired")) {
                return null;
              }
              long jobId = inserter.insert(c, List.of(job)).getFirst();
              update(c, "UPDATE mayfly_schedules SET last_job_id = ? WHERE name = ?", jobId, name);
              db.notifyReady(c, Set.of(job.queue()));
              return jobId;
            });
    if (id != null) {
      db.committed(Set.of(job.queue()));
    }
    return id;
  }

  /** Pauses or resumes a schedule; false if there is none of that name. */
  @Override
  public boolean pauseSchedule(String name, boolean paused) {
    return db.write(
            c ->
                update(
                    c,
                    "UPDATE mayfly_schedules SET paused = ? WHERE name = ?",
                    paused ? 1 : 0,
                    name))
        == 1;
  }

  /**
   * Enqueues {@code job} for a schedule now, outside its times (its last handled time stays), as
   * its latest job; null if there is no schedule of that name.
   */
  @Override
  public @Nullable Long runScheduleNow(String name, NewJob job) {
    Long id =
        db.write(
            c -> {
              if (one(c, "SELECT name FROM mayfly_schedules WHERE name = ?", rs -> 1, name)
                  == null) {
                return null;
              }
              long jobId = inserter.insert(c, List.of(job)).getFirst();
              update(c, "UPDATE mayfly_schedules SET last_job_id = ? WHERE name = ?", jobId, name);
              db.notifyReady(c, Set.of(job.queue()));
              return jobId;
            });
    if (id != null) {
      db.committed(Set.of(job.queue()));
    }
    return id;
  }

  /** Lets fire time {@code at} go without a job, on the same terms as {@link #fireSchedule}. */
  @Override
  public boolean skipSchedule(String name, @Nullable Instant last, Instant at) {
    return db.write(c -> handle(c, name, last, at, "skipped"));
  }

  private static boolean handle(
      Connection c, String name, @Nullable Instant last, Instant at, String counter)
      throws SQLException {
    String sql =
        "UPDATE mayfly_schedules SET last_fire = ?, "
            + counter
            + " = "
            + counter
            + " + 1 WHERE name = ? AND paused = 0 AND last_fire ";
    return (last == null
            ? update(c, sql + "IS NULL", at.toEpochMilli(), name)
            : update(c, sql + "= ?", at.toEpochMilli(), name, last.toEpochMilli()))
        == 1;
  }
}
