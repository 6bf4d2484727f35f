package dev.mayfly.store.jdbc;

import static dev.mayfly.store.jdbc.Sql.*;

import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Rows of Mayfly's tables read into the API's records. Times are epoch milliseconds. */
final class Rows {
  private Rows() {}

  // ---- mapping -------------------------------------------------------------------------------

  static JobInfo jobInfo(ResultSet rs, Instant now) throws SQLException {
    JobState state = JobState.parse(rs.getString("state"));
    Instant runAt = instant(rs, "run_at");
    if (state == JobState.QUEUED && runAt.isAfter(now)) {
      state = JobState.SCHEDULED;
    }
    return new JobInfo(
        rs.getLong("id"),
        rs.getString("type"),
        rs.getString("queue"),
        state,
        rs.getInt("priority"),
        rs.getInt("attempts"),
        rs.getString("runner_id"),
        instant(rs, "enqueued_at"),
        runAt,
        instantOrNull(rs, "started_at"),
        instantOrNull(rs, "finished_at"),
        rs.getString("error"),
        rs.getString("args"));
  }

  static RunnerInfo runnerInfo(ResultSet rs, Instant now) throws SQLException {
    Instant launched = instant(rs, "launched_at");
    Instant exited = instantOrNull(rs, "exited_at");
    long billedMillis = (exited == null ? now : exited).toEpochMilli() - launched.toEpochMilli();
    int exitCode = rs.getInt("exit_code");
    Integer exit = rs.wasNull() ? null : exitCode;
    return new RunnerInfo(
        rs.getString("id"),
        rs.getString("queue"),
        rs.getString("launcher"),
        rs.getString("platform_id"),
        rs.getString("size"),
        RunnerState.valueOf(rs.getString("state").toUpperCase(Locale.ROOT)),
        launched,
        instantOrNull(rs, "started_at"),
        exited,
        exit,
        rs.getInt("jobs_run"),
        Math.max(0, billedMillis) / 1000.0,
        rs.getString("error"));
  }

  static LogLine logLine(ResultSet rs) throws SQLException {
    return new LogLine(instant(rs, 1), rs.getString(2), rs.getString(3));
  }

  /** A time from a column declared NOT NULL. */
  static Instant instant(ResultSet rs, String column) throws SQLException {
    return Instant.ofEpochMilli(rs.getLong(column));
  }

  static Instant instant(ResultSet rs, int column) throws SQLException {
    return Instant.ofEpochMilli(rs.getLong(column));
  }

  /** A time that is null until it happens (started, finished, exited). */
  static @Nullable Instant instantOrNull(ResultSet rs, String column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }

  static @Nullable Instant instantOrNull(ResultSet rs, int column) throws SQLException {
    long v = rs.getLong(column);
    return rs.wasNull() ? null : Instant.ofEpochMilli(v);
  }
}
