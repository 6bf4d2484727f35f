package dev.mayfly.api;

import java.time.Instant;

/** What a running job knows about itself. */
public interface JobContext {

  long jobId();

  /** 1 on the first execution, 2 on the next, and so on. */
  int attempt();

  String queue();

  /** The runner (one-off process) executing this job. */
  String runnerId();

  /** A logger whose lines are stored with the job and shown by {@code mayfly job ID}. */
  JobLogger log();

  /**
   * When this execution must be done: the earlier of the job type's timeout and the runner's
   * time-to-live.
   */
  Instant deadline();

  /** True once someone asked to cancel this job; long jobs should check it and return. */
  boolean isCancelled();
}
