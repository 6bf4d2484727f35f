package dev.mayfly.api;

import java.time.Instant;

/**
 * One execution of a job.
 *
 * @param outcome {@code running}, {@code succeeded}, {@code failed}, {@code retry}, {@code
 *     snoozed}, {@code discarded} or {@code lost} (its runner vanished)
 */
public record AttemptInfo(
    long jobId,
    int attempt,
    String runnerId,
    Instant startedAt,
    Instant finishedAt,
    String outcome,
    String error) {}
