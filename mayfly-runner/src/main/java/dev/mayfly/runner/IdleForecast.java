package dev.mayfly.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Whether an idle runner should wait for new work at all, judged from when its queue's recent jobs
 * became ready.
 *
 * <p>The idle wait {@code b} is about what a new runner takes to start, {@code s}: waiting {@code
 * b} and leaving never costs more than twice the best choice made in hindsight (ski rental). A
 * queue's rhythm can tell more. Given the time {@code a} since the last job became ready, the gaps
 * between earlier arrivals that were longer than {@code a} say how long the next job may still
 * take, {@code r = gap − a}. Waiting costs {@code min(r, b)}; it saves a start-up ({@code s ≈ b})
 * only when {@code r ≤ b}. So the runner waits when, over those gaps, {@code mean(min(r, b)) < P(r
 * ≤ b)·b}, and leaves at once otherwise: for bursts with quiet gaps longer than a start-up, the
 * wait would be paid after every burst and never rewarded. A Poisson stream of rate {@code λ} gives
 * the textbook rule, stay while {@code 1/λ < s}.
 *
 * <p>With fewer than {@link #EVIDENCE} such gaps the rhythm is unknown and the runner waits. A job
 * already scheduled to become ready within the wait is always waited for.
 */
final class IdleForecast {
  /** How many of the queue's latest jobs are read. */
  static final int ARRIVALS = 100;

  /** The fewest gaps longer than the current one for the rhythm to overrule the plain wait. */
  static final int EVIDENCE = 3;

  private IdleForecast() {}

  /**
   * True if waiting up to {@code wait} for new work is worth it.
   *
   * @param arrivals when the queue's latest jobs became (or will become) ready, in any order
   */
  static boolean worthWaiting(List<Instant> arrivals, Instant now, Duration wait) {
    long b = wait.toMillis();
    long nowMs = now.toEpochMilli();
    long[] past = arrivals.stream().mapToLong(Instant::toEpochMilli).sorted().distinct().toArray();
    int n = 0;
    for (long t : past) {
      if (t > nowMs) {
        if (t - nowMs <= b) {
          return true; // a scheduled job becomes ready within the wait
        }
      } else {
        past[n++] = t;
      }
    }
    if (n < 2) {
      return true;
    }
    long sinceLast = nowMs - past[n - 1];
    int longer = 0;
    int rewarded = 0;
    long cost = 0;
    for (int i = 1; i < n; i++) {
      long gap = past[i] - past[i - 1];
      if (gap > sinceLast) {
        long r = gap - sinceLast;
        longer++;
        cost += Math.min(r, b);
        if (r <= b) {
          rewarded++;
        }
      }
    }
    if (longer < EVIDENCE) {
      return true;
    }
    // mean(min(r, b)) < P(r <= b) * b, multiplied through by the number of gaps
    return cost < rewarded * b;
  }
}
