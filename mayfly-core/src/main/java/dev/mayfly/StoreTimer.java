package dev.mayfly;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Says when one of the dispatcher's store calls took long enough that someone should know. A
 * database that stalls (a lock held, a failover, a saturated disk or network) otherwise shows only
 * as runners launched late, and nobody can tell why. The dispatcher names each call it times by the
 * store operation it makes; a runner says the same of its own calls in its output.
 */
final class StoreTimer {
  /** A store call that takes this long or longer is reported. */
  static final Duration SLOW = Duration.ofSeconds(5);

  private final LongSupplier ticker;
  private final Consumer<String> warn;

  /**
   * @param ticker nanoseconds from a monotonic source
   * @param warn where the warning goes
   */
  StoreTimer(LongSupplier ticker, Consumer<String> warn) {
    this.ticker = ticker;
    this.warn = warn;
  }

  /** Runs {@code call}, the store's {@code operation}, and warns if it was slow, failed or not. */
  <T extends @Nullable Object> T time(String operation, Supplier<T> call) {
    long start = ticker.getAsLong();
    try {
      return call.get();
    } finally {
      long nanos = ticker.getAsLong() - start;
      if (nanos >= SLOW.toNanos()) {
        warn.accept(message(operation, nanos));
      }
    }
  }

  /** {@link #time} for a call that returns nothing. */
  void run(String operation, Runnable call) {
    time(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  static String message(String operation, long nanos) {
    return String.format(
        Locale.ROOT,
        "store call '%s' took %.1f s (%d s or more is slow): the database is slow or stalled (a"
            + " lock held, a failover, disk or network); work waits meanwhile",
        operation,
        nanos / 1e9,
        SLOW.toSeconds());
  }
}
