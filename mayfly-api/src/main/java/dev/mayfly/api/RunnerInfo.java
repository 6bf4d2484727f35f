package dev.mayfly.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One runner: a one-off process (or in-process virtual thread) launched to drain a queue.
 *
 * @param platformId the launcher's id for it: the OS pid for {@code local}, a dyno id on Heroku
 * @param exitCode the process's exit code once known, else null
 * @param billedSeconds seconds from launch to exit (or to now while alive): what a per-second
 *     platform bills
 * @param error why the launch failed or the runner was declared lost, else null
 */
@JsonPropertyOrder({
  "id",
  "queue",
  "launcher",
  "platformId",
  "size",
  "state",
  "launchedAt",
  "startedAt",
  "exitedAt",
  "exitCode",
  "jobsRun",
  "billedSeconds",
  "error"
})
public record RunnerInfo(
    String id,
    String queue,
    String launcher,
    @Nullable String platformId,
    @Nullable String size,
    RunnerState state,
    Instant launchedAt,
    @Nullable Instant startedAt,
    @Nullable Instant exitedAt,
    @Nullable Integer exitCode,
    int jobsRun,
    double billedSeconds,
    @Nullable String error) {}
