package dev.mayfly.runner;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything a runner needs, carried in its environment so that any platform able to start a
 * process with environment variables (a local process, a Heroku dyno, a Kubernetes Job) can start
 * one. {@link #toEnv()} and {@link #fromEnv} are the only two places that know the variable names.
 *
 * @param databaseUrl where the store is; on platforms the app's own {@code DATABASE_URL} config var
 *     is used instead of passing it, so no secret travels in the launch request
 * @param jobTypes the registry, as {@code name=class,...}
 * @param jobsPerRunner the most jobs this runner takes, or 0 for no cap
 * @param idleExit how long it waits for new work once its queue is empty (the dispatcher sets it
 *     from the queue's measured start-up)
 * @param deadline when the platform will kill this runner (launch time plus time-to-live)
 * @param claimBatch jobs claimed (and their outcomes recorded) together: 1 records each job as it
 *     ends; more saves database round trips for many short jobs, at the price of holding claimed
 *     jobs back from other runners until their turn; {@link #AUTO_CLAIM_BATCH} sizes it from the
 *     runner's recent job durations ({@link ClaimBatch})
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

  public static final String RUNNER_ID = "MAYFLY_RUNNER_ID";
  public static final String QUEUE = "MAYFLY_QUEUE";
  public static final String DATABASE_URL = "MAYFLY_DATABASE_URL";
  public static final String JOBS = "MAYFLY_JOBS";
  public static final String JOBS_PER_RUNNER = "MAYFLY_JOBS_PER_RUNNER";
  public static final String IDLE_EXIT_MS = "MAYFLY_IDLE_EXIT_MS";
  public static final String DEADLINE = "MAYFLY_DEADLINE";
  public static final String POLL_MS = "MAYFLY_POLL_MS";
  public static final String LEASE_MS = "MAYFLY_LEASE_MS";
  public static final String HEARTBEAT_MS = "MAYFLY_HEARTBEAT_MS";
  public static final String CLAIM_BATCH = "MAYFLY_CLAIM_BATCH";
  public static final String SCALE_IN = "MAYFLY_SCALE_IN";
  public static final String MAX_LINE = "MAYFLY_OUTPUT_MAX_LINE";
  public static final String MAX_LOG = "MAYFLY_OUTPUT_MAX_ATTEMPT";

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

  /** How long before its deadline a runner stops taking work, to exit cleanly on its own. */
  private static final Duration EXIT_MARGIN = Duration.ofSeconds(2);

  /** The longest start-up, launch to first claim, that still leaves room for a queue's jobs. */
  private static final Duration START_ALLOWANCE = Duration.ofSeconds(60);

  /**
   * The one rule for which jobs a runner may take: a job's timeout must fit in what is left of the
   * runner's life, minus a margin to record the outcome and exit before the platform kills it. The
   * claim ({@code timeout_ms <= ?}) and the runner's own check before it starts a job ask this;
   * enqueueing asks {@link #longestJobOfQueue}.
   *
   * @param lifeLeft how long the runner has left to live
   * @return the longest job timeout it may take on; negative when it may take none
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

  /** The variables to set, in a stable order; {@code databaseUrl} only when {@code withDb}. */
  public Map<String, String> toEnv(boolean withDb) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(RUNNER_ID, runnerId);
    env.put(QUEUE, queue);
    if (withDb) {
      env.put(DATABASE_URL, databaseUrl);
    }
    env.put(JOBS, jobTypes);
    env.put(JOBS_PER_RUNNER, Integer.toString(jobsPerRunner));
    env.put(IDLE_EXIT_MS, Long.toString(idleExit.toMillis()));
    env.put(DEADLINE, deadline.toString());
    env.put(POLL_MS, Long.toString(pollInterval.toMillis()));
    env.put(LEASE_MS, Long.toString(leaseTimeout.toMillis()));
    env.put(HEARTBEAT_MS, Long.toString(heartbeatInterval.toMillis()));
    env.put(CLAIM_BATCH, claimBatchText(claimBatch));
    if (!scaleIn) {
      env.put(SCALE_IN, "false");
    }
    if (maxLine != LineCap.DEFAULT || maxLog != HeadAndTail.DEFAULT) {
      env.put(MAX_LINE, Integer.toString(maxLine));
      env.put(MAX_LOG, Long.toString(maxLog));
    }
    return env;
  }

  /**
   * Reads the settings a launcher put in the environment. The database falls back to {@code
   * DATABASE_URL}, which platforms such as Heroku set for the app.
   */
  public static RunnerSettings fromEnv(Map<String, String> env) {
    String db = env.getOrDefault(DATABASE_URL, env.get("DATABASE_URL"));
    return new RunnerSettings(
        required(env, RUNNER_ID),
        required(env, QUEUE),
        db == null ? required(env, DATABASE_URL) : db,
        required(env, JOBS),
        (int) number(env, JOBS_PER_RUNNER, 0),
        Duration.ofMillis(number(env, IDLE_EXIT_MS, 2_000)),
        instant(env, DEADLINE),
        Duration.ofMillis(number(env, POLL_MS, 200)),
        Duration.ofMillis(number(env, LEASE_MS, 30_000)),
        Duration.ofMillis(number(env, HEARTBEAT_MS, 5_000)),
        claimBatch(env),
        !"false".equalsIgnoreCase(env.getOrDefault(SCALE_IN, "true").trim()),
        (int) number(env, MAX_LINE, LineCap.DEFAULT),
        number(env, MAX_LOG, HeadAndTail.DEFAULT));
  }

  private static String required(Map<String, String> env, String name) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException(
          name
              + " is not set. A runner is started by a Mayfly launcher, which sets it; to start one"
              + " by hand set "
              + RUNNER_ID
              + ", "
              + QUEUE
              + ", "
              + JOBS
              + " and "
              + DEADLINE);
    }
    return v;
  }

  private static long number(Map<String, String> env, String name, long fallback) {
    String v = env.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + v + "'", e);
    }
  }

  private static int claimBatch(Map<String, String> env) {
    String v = env.get(CLAIM_BATCH);
    try {
      return v == null || v.isBlank() ? 1 : claimBatch(v);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(CLAIM_BATCH + " " + e.getMessage(), e);
    }
  }

  private static Instant instant(Map<String, String> env, String name) {
    String v = required(env, name);
    try {
      return Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          name + " must be an ISO-8601 instant such as 2026-01-01T00:10:00Z, was '" + v + "'", e);
    }
  }
}
