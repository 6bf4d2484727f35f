package dev.mayfly.store;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Says when a call to the store took long enough that someone should know. A database that stalls
 * (a lock held, a failover, a saturated disk or network) otherwise shows only as work that is late,
 * and nobody can tell why. It costs a monotonic clock reading on each side of a call. A runner
 * times its few calls with it, and says so in its output; the dispatcher times every call it makes
 * to its roles, and says so in its log.
 */
public final class StoreStall {
  /** A store call that takes this long or longer is reported. */
  public static final Duration SLOW = Duration.ofSeconds(5);

  private final LongSupplier ticker;
  private final Consumer<String> warn;

  /**
   * @param ticker nanoseconds from a monotonic source
   * @param warn where the warning goes: a log, or the runner's output
   */
  public StoreStall(LongSupplier ticker, Consumer<String> warn) {
    this.ticker = ticker;
    this.warn = warn;
  }

  /** Runs {@code call}, the store's {@code operation}, and warns if it was slow, failed or not. */
  public <T extends @Nullable Object> T time(String operation, Supplier<T> call) {
    long start = ticker.getAsLong();
    try {
      return call.get();
    } finally {
      check(operation, ticker.getAsLong() - start);
    }
  }

  /** {@link #time} for a call that returns nothing. */
  public void run(String operation, Runnable call) {
    time(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  private void check(String operation, long nanos) {
    if (nanos >= SLOW.toNanos()) {
      warn.accept(message(operation, nanos));
    }
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
