package dev.mayfly.protocol;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How a runner is started: {@link #MAIN_CLASS} on the app's class path, with {@link RunnerSettings}
 * written into its environment by {@link #encode} and read back by {@link #decode}, the only two
 * places that know the variable names besides the constants here. Whatever starts a runner (a
 * launcher, a platform's Procfile or Job spec, a person) sets these; nothing else is passed.
 */
public final class RunnerEnvironment {
  /** The class a runner process starts with: {@code java -cp APP_CLASSPATH MAIN_CLASS}. */
  public static final String MAIN_CLASS = "dev.mayfly.runner.RunnerMain";

  /**
   * The class that runs a few jobs in a process of its own for a JVM to record a start-up cache
   * from ({@code java -XX:AOTCacheOutput=FILE -cp APP_CLASSPATH TRAINING_MAIN_CLASS SCRATCH}).
   */
  public static final String TRAINING_MAIN_CLASS = "dev.mayfly.runner.RunnerTraining";

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

  /**
   * The database a training run ({@link #TRAINING_MAIN_CLASS}) also runs a runner's statements on,
   * changing nothing, when runners will use PostgreSQL.
   */
  public static final String TRAINING_DATABASE_URL = "MAYFLY_TRAINING_DATABASE_URL";

  /** Where a platform gives an app its database; a runner falls back to it. */
  private static final String PLATFORM_DATABASE_URL = "DATABASE_URL";

  private RunnerEnvironment() {}

  /**
   * The variables to set, in a stable order.
   *
   * @param withDb whether to set {@link #DATABASE_URL}: a launcher whose platform gives runners the
   *     app's own database URL leaves it out, so no secret travels in a launch request
   */
  public static Map<String, String> encode(RunnerSettings s, boolean withDb) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put(RUNNER_ID, s.runnerId());
    env.put(QUEUE, s.queue());
    if (withDb) {
      env.put(DATABASE_URL, s.databaseUrl());
    }
    env.put(JOBS, s.jobTypes());
    env.put(JOBS_PER_RUNNER, Integer.toString(s.jobsPerRunner()));
    env.put(IDLE_EXIT_MS, Long.toString(s.idleExit().toMillis()));
    env.put(DEADLINE, s.deadline().toString());
    env.put(POLL_MS, Long.toString(s.pollInterval().toMillis()));
    env.put(LEASE_MS, Long.toString(s.leaseTimeout().toMillis()));
    env.put(HEARTBEAT_MS, Long.toString(s.heartbeatInterval().toMillis()));
    env.put(CLAIM_BATCH, RunnerSettings.claimBatchText(s.claimBatch()));
    if (!s.scaleIn()) {
      env.put(SCALE_IN, "false");
    }
    if (s.maxLine() != LineCap.DEFAULT || s.maxLog() != HeadAndTail.DEFAULT) {
      env.put(MAX_LINE, Integer.toString(s.maxLine()));
      env.put(MAX_LOG, Long.toString(s.maxLog()));
    }
    return env;
  }

  /**
   * Reads the settings a launcher put in the environment. The database falls back to {@code
   * DATABASE_URL}, which platforms such as Heroku set for the app.
   *
   * @throws IllegalArgumentException naming the variable that is missing or wrong, and what to set
   */
  public static RunnerSettings decode(Map<String, String> env) {
    String db = env.getOrDefault(DATABASE_URL, env.get(PLATFORM_DATABASE_URL));
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
      return v == null || v.isBlank() ? 1 : RunnerSettings.claimBatch(v);
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
