package dev.mayfly.heroku;

import java.util.function.LongSupplier;

/**
 * The client's picture of the account's request budget: Heroku gives each account a bucket of 4,500
 * tokens refilled at 4,500 an hour, one token per call. Mayfly spends from its own copy, and
 * corrects it from every {@code RateLimit-Remaining} header, so it stops before the API says 429
 * (other clients of the same account spend from the same bucket).
 */
final class TokenBucket {
  static final double CAPACITY = 4500;
  static final double REFILL_PER_SECOND = 4500 / 3600.0;

  private final LongSupplier nanoTicker;
  private double tokens = CAPACITY;
  private long lastNanos;
  private long blockedUntilNanos;

  TokenBucket(LongSupplier nanoTicker) {
    this.nanoTicker = nanoTicker;
    this.lastNanos = nanoTicker.getAsLong();
  }

  /** Takes a token if one is there and the API has not asked us to wait. */
  synchronized boolean tryAcquire() {
    refill();
    if (nanoTicker.getAsLong() < blockedUntilNanos || tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** What the API says is left. */
  synchronized void observe(long remaining) {
    refill();
    tokens = Math.min(tokens, remaining);
  }

  /** After a 429: nothing left, and no call before {@code waitNanos} from now. */
  synchronized void exhausted(long waitNanos) {
    tokens = 0;
    blockedUntilNanos = Math.max(blockedUntilNanos, nanoTicker.getAsLong() + waitNanos);
  }

  private void refill() {
    long now = nanoTicker.getAsLong();
    tokens = Math.min(CAPACITY, tokens + (now - lastNanos) / 1e9 * REFILL_PER_SECOND);
    lastNanos = now;
  }
}
