package dev.mayfly;

import java.time.Duration;

/**
 * Told of what this node's dispatcher does (launches, schedule fire times), for metrics. Called on
 * the dispatcher's launch threads: return quickly; an exception thrown here is logged and otherwise
 * ignored.
 */
public interface DispatchListener {
  /**
   * A runner was launched.
   *
   * @param took how long the launcher took to start it (a process spawn, a platform API call)
   */
  default void launched(String queue, String launcher, Duration took) {}

  /**
   * A launch failed; the runner is recorded as failed to launch and the queue backs off.
   *
   * @param atCapacity the platform refused for being at its concurrency limit
   */
  default void launchFailed(String queue, String launcher, boolean atCapacity, Duration took) {}

  /**
   * Launching for {@code queue} pauses for minutes: its launcher's configuration was refused, or
   * its runners open another database than this dispatcher. Nothing runs until a person acts.
   *
   * @param why what is wrong and what to change
   */
  default void misconfigured(String queue, String launcher, String why) {}

  /**
   * This node enqueued the job of one of schedule {@code schedule}'s fire times.
   *
   * @param late how long after the fire time the job was enqueued
   */
  default void scheduleFired(String schedule, Duration late) {}

  /**
   * This node let one of a schedule's fire times pass without a job.
   *
   * @param reason {@code overlap}: the previous job was unfinished and the overlap policy is skip;
   *     {@code missed}: it was missed while nothing ran and the catch-up policy is none
   */
  default void scheduleSkipped(String schedule, String reason) {}
}
