package dev.mayfly.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A job as the admin API, the CLI's {@code --json} and the dashboard show it. Field names are part
 * of the documented JSON format; times are UTC instants.
 *
 * @param args the job's arguments as stored JSON
 * @param error the last attempt's error with its stack trace, or null
 */
@JsonPropertyOrder({
  "id",
  "type",
  "queue",
  "state",
  "priority",
  "attempts",
  "runnerId",
  "enqueuedAt",
  "runAt",
  "startedAt",
  "finishedAt",
  "error",
  "args"
})
public record JobInfo(
    long id,
    String type,
    String queue,
    JobState state,
    int priority,
    int attempts,
    @Nullable String runnerId,
    Instant enqueuedAt,
    Instant runAt,
    @Nullable Instant startedAt,
    @Nullable Instant finishedAt,
    @Nullable String error,
    @JsonRawValue String args) {}
