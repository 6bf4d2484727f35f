package dev.mayfly.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A recurring job and where it stands, as {@code mayfly schedules} and the dashboard show it.
 *
 * @param queue null for the default queue
 * @param catchUp {@code latest}, {@code all} or {@code none}
 * @param overlap {@code skip} or {@code allow}
 * @param nextFire the next fire time after now, or null if the cron names none
 * @param lastFire the last fire time handled (fired or skipped), or null if none yet
 * @param lastJobId the job its last fired time (or a run by hand) enqueued, while it is kept
 * @param lastJobState that job's state
 * @param fired how many fire times enqueued a job
 * @param skipped how many were let go (overlap skip, or missed under catch-up none)
 */
@JsonPropertyOrder({
  "name",
  "cron",
  "zone",
  "type",
  "args",
  "queue",
  "catchUp",
  "overlap",
  "paused",
  "nextFire",
  "lastFire",
  "lastJobId",
  "lastJobState",
  "fired",
  "skipped"
})
public record ScheduleInfo(
    String name,
    String cron,
    String zone,
    String type,
    String args,
    @Nullable String queue,
    String catchUp,
    String overlap,
    boolean paused,
    @Nullable Instant nextFire,
    @Nullable Instant lastFire,
    @Nullable Long lastJobId,
    @Nullable JobState lastJobState,
    long fired,
    long skipped) {}
