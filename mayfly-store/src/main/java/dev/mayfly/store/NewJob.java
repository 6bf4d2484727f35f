package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;

/** A job to store; {@code args} is JSON already validated against the job type's record. */
public record NewJob(
    String type,
    String queue,
    String args,
    int priority,
    Instant runAt,
    Duration timeout,
    int maxAttempts,
    Instant enqueuedAt) {}
