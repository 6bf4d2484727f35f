package dev.mayfly.kubernetes;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Bounds the launcher's own requests to the API server, as client-go's default limiter does
 * (fabric8 has none): a token bucket of {@code burst} refilled at {@code perSecond}. A request
 * beyond it waits its turn instead of adding to a busy API server's load.
 */
final class RequestPace {
  private final double perSecond;
  private final double burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  RequestPace(double perSecond, int burst, LongSupplier nanoTime) {
    if (perSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException(
          "MAYFLY_KUBERNETES_QPS must be above 0 requests a second, was " + perSecond);
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  /** Takes a turn; returns how long to wait before using it (zero when it is free now). */
  synchronized Duration reserve() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (now - last) / 1e9 * perSecond);
    last = now;
    tokens -= 1;
    return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) (-tokens / perSecond * 1e9));
  }

  /** Takes a turn, waiting for it. */
  void acquire() {
    Duration wait = reserve();
    if (!wait.isZero()) {
      try {
        Thread.sleep(wait); // the pace itself
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
