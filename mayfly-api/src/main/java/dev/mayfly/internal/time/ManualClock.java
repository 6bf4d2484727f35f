package dev.mayfly.internal.time;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * A clock and a ticker that move only when told: the fake of {@link SystemTime}, shipped with the
 * code (as db-scheduler ships its {@code SettableClock}) so that the tests of every module, below
 * the test kit or not, set the time the same way. {@link #advance} moves both; {@link #set} moves
 * the time of day alone, as a wall clock that is corrected jumps while monotonic time does not. The
 * test kit's {@code SettableClock} is this, for apps' tests. Thread-safe.
 */
public final class ManualClock implements InstantSource {
  private Instant now;
  private long nanos;

  public ManualClock(Instant start) {
    this.now = start;
  }

  @Override
  public synchronized Instant instant() {
    return now;
  }

  /** Nanoseconds moved by {@link #advance} since this clock was made. */
  public synchronized long nanos() {
    return nanos;
  }

  /** {@link #nanos}, as the ticker Mayfly takes. */
  public LongSupplier ticker() {
    return this::nanos;
  }

  /** Sets the time of day, forward or back; the ticker does not move. */
  public synchronized void set(Instant t) {
    now = t;
  }

  /** Moves the time of day and the ticker on by {@code d}, and returns the new time of day. */
  public synchronized Instant advance(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException(
          "the clock only moves forward; was asked to move " + d + " (set() puts it anywhere)");
    }
    nanos += d.toNanos();
    now = now.plus(d);
    return now;
  }

  @Override
  public synchronized String toString() {
    return "ManualClock[" + now + "]";
  }
}
