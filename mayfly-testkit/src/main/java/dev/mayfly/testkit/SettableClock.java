package dev.mayfly.testkit;

import dev.mayfly.internal.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * A clock that stands still until the test moves it, with the monotonic ticker that goes with it:
 * for a test that builds its own Mayfly, or hands the time to its own code.
 *
 * <pre>{@code
 * SettableClock clock = SettableClock.at(Instant.parse("2030-01-01T09:00:00Z"));
 * MayflyConfig config = MayflyConfig.builder().clock(clock).ticker(clock.ticker())...build();
 * clock.advance(Duration.ofMinutes(5)); // backoffs end, leases expire, schedules come due
 * }</pre>
 *
 * <p>{@link #advance} moves the time of day and the ticker together; {@link #set} puts the time of
 * day anywhere, forward or back, as a corrected wall clock jumps, and leaves the ticker where it
 * is. {@link MayflyTestKit} runs on one ({@link MayflyTestKit#clock()}). Thread-safe.
 */
public final class SettableClock implements InstantSource {
  private final ManualClock clock;

  private SettableClock(Instant start) {
    this.clock = new ManualClock(start);
  }

  /** A clock showing {@code start}, its ticker at 0. */
  public static SettableClock at(Instant start) {
    return new SettableClock(start);
  }

  @Override
  public Instant instant() {
    return clock.instant();
  }

  /**
   * Nanoseconds that {@link #advance} has moved this clock on, for {@code MayflyConfig.ticker}:
   * what durations a process measures on itself (how long a launch or a job took) are read from.
   */
  public LongSupplier ticker() {
    return clock.ticker();
  }

  /** Sets the time of day, forward or back; the ticker does not move. */
  public void set(Instant t) {
    clock.set(t);
  }

  /**
   * Moves the time of day and the ticker on by {@code d} and returns the new time of day.
   *
   * @throws IllegalArgumentException if {@code d} is negative: {@link #set} moves the time back
   */
  public Instant advance(Duration d) {
    return clock.advance(d);
  }

  @Override
  public String toString() {
    return "SettableClock[" + clock.instant() + "]";
  }
}
