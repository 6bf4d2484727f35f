package dev.mayfly.api;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * One execution of a job.
 *
 * @param finishedAt null while the attempt runs
 * @param outcome {@code running}, {@code succeeded}, {@code failed}, {@code retry}, {@code
 *     snoozed}, {@code discarded} or {@code lost} (its runner vanished)
 * @param error null unless the attempt failed or was lost
 */
public record AttemptInfo(
    long jobId,
    int attempt,
    String runnerId,
    Instant startedAt,
    @Nullable Instant finishedAt,
    String outcome,
    @Nullable String error) {}
