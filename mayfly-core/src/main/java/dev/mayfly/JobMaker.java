package dev.mayfly;

import dev.mayfly.api.InvalidJobException;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.protocol.TimeToLive;
import dev.mayfly.store.NewJob;
import java.time.Duration;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The rule every new job of every path obeys (the API, the CLI, a schedule's fire, {@code schedule
 * run}, a retry): its type's timeout fits in what its queue's runners may take on. A job that does
 * not fit would never be claimed, and its queue would launch runner after runner for it.
 */
final class JobMaker {
  private JobMaker() {}

  /**
   * A new job of {@code type} in {@code queue}: the one place a job is made, whichever path asks
   * (the API and the CLI, a schedule's fire, {@code schedule run}), so every job obeys the same
   * rules.
   *
   * @param maxAttempts the enqueuer's own limit, or null for the type's
   * @throws InvalidJobException if a job of the type can never run in the queue
   */
  static NewJob make(
      JobDescriptor type,
      QueueConfig queue,
      String args,
      int priority,
      Instant runAt,
      @Nullable Integer maxAttempts,
      Instant now,
      @Nullable String uniqueKey) {
    requireFits(type, queue);
    return new NewJob(
        type.name(),
        queue.name(),
        args,
        priority,
        runAt,
        type.timeout(),
        maxAttempts == null ? type.maxAttempts() : maxAttempts,
        now,
        uniqueKey);
  }

  /** Why a job of {@code type} can never run in {@code queue}, or null if it can. */
  static @Nullable String misfit(String type, Duration timeout, QueueConfig queue) {
    if (TimeToLive.fits(timeout, queue.timeToLive())) {
      return null;
    }
    return "job type '"
        + type
        + "' may run for "
        + timeout
        + " but runners of queue '"
        + queue.name()
        + "' live "
        + queue.timeToLive()
        + ", which leaves a job at most "
        + queue.longestJob()
        + "; raise the queue's time-to-live (queue."
        + queue.name()
        + ".time-to-live) or lower the type's timeoutSeconds";
  }

  /**
   * @throws InvalidJobException if a job of {@code type} can never run in {@code queue}
   */
  static void requireFits(JobDescriptor type, QueueConfig queue) {
    String why = misfit(type.name(), type.timeout(), queue);
    if (why != null) {
      throw new InvalidJobException(why);
    }
  }

  /**
   * What a waiting job that no longer fits (its queue's time-to-live was lowered after it was
   * enqueued) says on its page: it waits, and runs once a runner may take it.
   */
  static String unrunnable(QueueConfig queue) {
    return "cannot run: its timeout is longer than the "
        + queue.longestJob()
        + " that runners of queue '"
        + queue.name()
        + "' (time-to-live "
        + queue.timeToLive()
        + ") may take on, so no runner is launched for it. Raise queue."
        + queue.name()
        + ".time-to-live, or cancel the job; it runs once it fits";
  }
}
