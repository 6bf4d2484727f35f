package dev.mayfly.protocol;

import java.time.Duration;
import java.time.Instant;

/**
 * Everything a runner needs, as the dispatcher decides it for one launch. It travels in the
 * runner's environment ({@link RunnerEnvironment}), so that any platform able to start a process
 * with environment variables (a local process, a Heroku dyno, a Kubernetes Job) can start one.
 *
 * @param databaseUrl where the store is; on platforms the app's own {@code DATABASE_URL} config var
 *     is used instead of passing it, so no secret travels in the launch request
 * @param jobTypes the registry, as {@code name=class,...}
 * @param jobsPerRunner the most jobs this runner takes, or 0 for no cap
 * @param idleExit how long it waits for new work once its queue is empty (the dispatcher sets it
 *     from the queue's measured start-up)
 * @param deadline when the platform will kill this runner (launch time plus time-to-live); it takes
 *     only jobs that fit before it ({@link TimeToLive#longestJob})
 * @param claimBatch jobs claimed (and their outcomes recorded) together: 1 records each job as it
 *     ends; more saves database round trips for many short jobs, at the price of holding claimed
 *     jobs back from other runners until their turn; {@link #AUTO_CLAIM_BATCH} has the runner size
 *     it from its recent job durations
 * @param scaleIn whether the runner leaves at once when its queue is empty and other runners of it
 *     will take what comes; false only for runners that stand in for always-on workers (the
 *     throughput benchmark's)
 * @param maxLine the longest line a job logs through its context that is kept whole, in UTF-8 bytes
 *     ({@link LineCap})
 * @param maxLog the most of an attempt's context log kept, in bytes: its head and its tail ({@link
 *     HeadAndTail})
 */
public record RunnerSettings(
    String runnerId,
    String queue,
    String databaseUrl,
    String jobTypes,
    int jobsPerRunner,
    Duration idleExit,
    Instant deadline,
    Duration pollInterval,
    Duration leaseTimeout,
    Duration heartbeatInterval,
    int claimBatch,
    boolean scaleIn,
    int maxLine,
    long maxLog) {

  /** {@code claimBatch} for a batch the runner sizes from its jobs' durations. */
  public static final int AUTO_CLAIM_BATCH = 0;

  /**
   * Reads a claim batch as written in configuration, an option or the environment: {@code auto}
   * ({@link #AUTO_CLAIM_BATCH}) or a whole number, which the caller bounds.
   *
   * @throws IllegalArgumentException "must be auto or a whole number, was '...'", for the caller to
   *     put the setting's name in front of
   */
  public static int claimBatch(String value) {
    String v = value.trim();
    if (v.equalsIgnoreCase("auto")) {
      return AUTO_CLAIM_BATCH;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("must be auto or a whole number, was '" + value + "'", e);
    }
  }

  /** A claim batch as {@link #claimBatch(String)} reads it: {@code auto} or the number. */
  public static String claimBatchText(int claimBatch) {
    return claimBatch == AUTO_CLAIM_BATCH ? "auto" : Integer.toString(claimBatch);
  }

  /**
   * With the default caps on a job's log ({@link LineCap#DEFAULT}, {@link HeadAndTail#DEFAULT}).
   */
  public RunnerSettings(
      String runnerId,
      String queue,
      String databaseUrl,
      String jobTypes,
      int jobsPerRunner,
      Duration idleExit,
      Instant deadline,
      Duration pollInterval,
      Duration leaseTimeout,
      Duration heartbeatInterval,
      int claimBatch,
      boolean scaleIn) {
    this(
        runnerId,
        queue,
        databaseUrl,
        jobTypes,
        jobsPerRunner,
        idleExit,
        deadline,
        pollInterval,
        leaseTimeout,
        heartbeatInterval,
        claimBatch,
        scaleIn,
        LineCap.DEFAULT,
        HeadAndTail.DEFAULT);
  }

  public RunnerSettings {
    if (maxLine < LineCap.MIN) {
      throw new IllegalArgumentException(
          "maxLine must be at least " + LineCap.MIN + " bytes, was " + maxLine);
    }
    if (maxLog < 4L * maxLine) {
      throw new IllegalArgumentException(
          "maxLog (" + maxLog + " bytes) must be at least 4 lines of maxLine (" + maxLine + ")");
    }
    if (jobsPerRunner < 0) {
      throw new IllegalArgumentException("jobsPerRunner must be 0 (no cap) or more");
    }
    if (claimBatch < 0) {
      throw new IllegalArgumentException("claimBatch must be 0 (automatic) or more");
    }
    if (heartbeatInterval.compareTo(leaseTimeout) >= 0) {
      throw new IllegalArgumentException(
          "the heartbeat interval ("
              + heartbeatInterval
              + ") must be shorter than the lease timeout ("
              + leaseTimeout
              + ")");
    }
  }

  /** True when {@code jobsRun} jobs are all this runner may take. */
  public boolean jobCapReached(int jobsRun) {
    return jobsPerRunner > 0 && jobsRun >= jobsPerRunner;
  }

  /** How many more jobs this runner may take: at most {@code wanted}. */
  public int jobsLeft(int jobsRun, int wanted) {
    return jobsPerRunner > 0 ? Math.min(wanted, jobsPerRunner - jobsRun) : wanted;
  }
}
