package dev.mayfly.protocol;

import java.time.Duration;

/**
 * The one rule for which jobs a runner may take: a job's timeout must fit in what is left of the
 * runner's life (the platform kills it at its time-to-live), minus a margin to record the outcome
 * and exit first. The runner's claim ({@code timeout_ms <= ?}) and its own check before it starts a
 * job ask {@link #longestJob}; enqueueing, schedules and retries ask {@link #fits}, so that no job
 * is accepted that no runner of its queue would ever claim.
 */
public final class TimeToLive {
  /** How long before its deadline a runner stops taking work, to exit cleanly on its own. */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(2);

  /** The longest start-up, launch to first claim, that still leaves room for a queue's jobs. */
  private static final Duration START_ALLOWANCE = Duration.ofSeconds(60);

  private TimeToLive() {}

  /**
   * The longest job timeout a runner may take on now.
   *
   * @param lifeLeft how long the runner has left to live
   * @return negative or zero when it may take none
   */
  public static Duration longestJob(Duration lifeLeft) {
    return lifeLeft.minus(EXIT_MARGIN);
  }

  /**
   * The longest job timeout a queue whose runners live {@code timeToLive} accepts: what {@link
   * #longestJob} leaves a runner that took a tenth of its life, at most {@link #START_ALLOWANCE},
   * to start. A job that only a runner claiming at the very moment of its launch could take would
   * never be claimed, and its queue would launch runners for it forever.
   */
  public static Duration longestJobOfQueue(Duration timeToLive) {
    Duration startUp = timeToLive.dividedBy(10);
    if (startUp.compareTo(START_ALLOWANCE) > 0) {
      startUp = START_ALLOWANCE;
    }
    return longestJob(timeToLive.minus(startUp));
  }

  /** Whether a job with {@code timeout} fits in a queue whose runners live {@code timeToLive}. */
  public static boolean fits(Duration timeout, Duration timeToLive) {
    return timeout.compareTo(longestJobOfQueue(timeToLive)) <= 0;
  }
}
