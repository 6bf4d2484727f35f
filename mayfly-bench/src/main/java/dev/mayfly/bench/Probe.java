package dev.mayfly.bench;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/** What the benchmark's jobs report, in the benchmark's own JVM (workers are in-process). */
public final class Probe {
  private static final AtomicLong EXECUTED = new AtomicLong();
  private static final ConcurrentLinkedQueue<Long> LATENCIES = new ConcurrentLinkedQueue<>();

  private Probe() {}

  public static void executed(long enqueuedNanos) {
    if (enqueuedNanos != 0) {
      LATENCIES.add(System.nanoTime() - enqueuedNanos);
    }
    EXECUTED.incrementAndGet();
  }

  public static long executed() {
    return EXECUTED.get();
  }

  /** Latencies recorded so far, in nanoseconds, and forgets them. */
  public static long[] drainLatencies() {
    long[] out = LATENCIES.stream().mapToLong(Long::longValue).toArray();
    LATENCIES.clear();
    return out;
  }

  public static void reset() {
    EXECUTED.set(0);
    LATENCIES.clear();
  }
}
