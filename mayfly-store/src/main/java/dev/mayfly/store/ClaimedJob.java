package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;

/** A job a runner has just claimed; {@code attempt} is 1 on the first execution. */
public record ClaimedJob(
    long id,
    String type,
    String queue,
    String args,
    int attempt,
    Duration timeout,
    Instant enqueuedAt,
    Instant startedAt,
    int priority,
    Instant runAt,
    int maxAttempts) {

  /** The order jobs are claimed in: highest priority, then oldest run-at, then oldest id. */
  public static final Comparator<ClaimedJob> CLAIM_ORDER =
      Comparator.comparingInt(ClaimedJob::priority)
          .reversed()
          .thenComparing(ClaimedJob::runAt)
          .thenComparingLong(ClaimedJob::id);
}
