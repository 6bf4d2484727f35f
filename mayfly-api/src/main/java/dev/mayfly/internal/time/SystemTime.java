package dev.mayfly.internal.time;

import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * The one class of Mayfly's main code that reads the machine's clocks: the time of day ({@link
 * #clock()}) and a monotonic count of nanoseconds ({@link #ticker()}). Everything else is given an
 * {@link InstantSource} and a ticker ({@code MayflyConfig.clock()} and {@code ticker()}), and takes
 * these only where a process is composed: a {@code main}, a store being opened, a default for a
 * constructor's caller that has no clock of its own. {@code ArchitectureTest} fails the build on a
 * direct read anywhere else, so a test that sets the time ({@link ManualClock}) sees it everywhere.
 */
public final class SystemTime {
  private SystemTime() {}

  /** The time of day, for what is stored and for deadlines compared with stored times. */
  public static InstantSource clock() {
    return InstantSource.system();
  }

  /** Nanoseconds from an arbitrary origin, for intervals a process measures on itself. */
  public static LongSupplier ticker() {
    return System::nanoTime;
  }
}
