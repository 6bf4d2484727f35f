package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A job to store; {@code args} is JSON already validated against the job type's record.
 *
 * @param uniqueKey while a job with this key is queued, running or waiting for a retry, storing
 *     another returns that job's id instead; null for no such rule
 */
public record NewJob(
    String type,
    String queue,
    String args,
    int priority,
    Instant runAt,
    Duration timeout,
    int maxAttempts,
    Instant enqueuedAt,
    @Nullable String uniqueKey) {

  public NewJob(
      String type,
      String queue,
      String args,
      int priority,
      Instant runAt,
      Duration timeout,
      int maxAttempts,
      Instant enqueuedAt) {
    this(type, queue, args, priority, runAt, timeout, maxAttempts, enqueuedAt, null);
  }
}
