package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;

/**
 * What a runner asks for when it claims: up to {@code limit} ready jobs of {@code queue} for {@code
 * runnerId} at {@code now}, only jobs whose timeout is at most {@code maxTimeout} (what it can
 * finish before its time-to-live ends), each leased until {@code leaseUntil}.
 */
public record ClaimRequest(
    String queue,
    String runnerId,
    Instant now,
    Duration maxTimeout,
    Instant leaseUntil,
    int limit) {
  public ClaimRequest {
    if (limit < 0) {
      throw new IllegalArgumentException("a claim's limit is 0 or more, got " + limit);
    }
  }
}
