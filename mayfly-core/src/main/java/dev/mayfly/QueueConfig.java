package dev.mayfly;

import dev.mayfly.api.QueueNames;
import dev.mayfly.launch.Launchers;
import dev.mayfly.runner.RunnerSettings;
import java.time.Duration;

/**
 * How one queue's runners are launched. Immutable; change it with the withers.
 *
 * @param maxRunners at most this many runners of the queue alive at once, across every app node
 * @param jobsPerRunner a runner exits after this many jobs; more spreads start-up cost over more
 *     jobs, fewer gives more parallelism sooner
 * @param idleExit a runner exits after its queue has been empty this long
 * @param timeToLive the platform kills a runner this long after launch; a runner takes no job it
 *     could not finish before then
 * @param launcher {@code auto}, {@code local} or {@code inprocess} (or a launcher registered with
 *     the builder)
 * @param size the platform's machine size for runners, such as {@code standard-1x}
 * @param command what a platform that runs commands (Heroku) starts a runner with; null for the
 *     launcher's default
 * @param claimBatch jobs a runner claims and records at once: 1 (the default) records each job as
 *     it ends; more saves database round trips when jobs are many and short
 */
public record QueueConfig(
    String name,
    int maxRunners,
    int jobsPerRunner,
    Duration idleExit,
    Duration timeToLive,
    String launcher,
    String size,
    String command,
    int claimBatch) {

  public static final int DEFAULT_MAX_RUNNERS = 4;
  public static final int DEFAULT_JOBS_PER_RUNNER = 10;
  public static final Duration DEFAULT_IDLE_EXIT = Duration.ofSeconds(2);
  public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofMinutes(10);
  public static final String DEFAULT_SIZE = "standard-1x";
  private static final Duration MIN_TIME_TO_LIVE = Duration.ofSeconds(10);

  public QueueConfig {
    String where = "queue '" + name + "': ";
    if (!QueueNames.isValid(name)) {
      throw new IllegalArgumentException(QueueNames.problem(name));
    }
    if (maxRunners < 1 || maxRunners > 1000) {
      throw new IllegalArgumentException(
          where + "maxRunners must be between 1 and 1000, was " + maxRunners);
    }
    if (jobsPerRunner < 1) {
      throw new IllegalArgumentException(
          where + "jobsPerRunner must be at least 1, was " + jobsPerRunner);
    }
    if (idleExit == null || idleExit.isNegative()) {
      throw new IllegalArgumentException(where + "idleExit must be zero or more, was " + idleExit);
    }
    if (timeToLive == null || timeToLive.compareTo(MIN_TIME_TO_LIVE) < 0) {
      throw new IllegalArgumentException(
          where + "timeToLive must be at least " + MIN_TIME_TO_LIVE + ", was " + timeToLive);
    }
    if (idleExit.compareTo(timeToLive) >= 0) {
      throw new IllegalArgumentException(
          where
              + "idleExit ("
              + idleExit
              + ") must be shorter than timeToLive ("
              + timeToLive
              + ")");
    }
    if (claimBatch < 1 || claimBatch > 1000) {
      throw new IllegalArgumentException(
          where + "claimBatch must be between 1 and 1000, was " + claimBatch);
    }
    if (launcher == null || launcher.isBlank()) {
      launcher = Launchers.AUTO;
    }
    if (size == null || size.isBlank()) {
      size = DEFAULT_SIZE;
    }
  }

  public static QueueConfig defaults(String name) {
    return new QueueConfig(
        name,
        DEFAULT_MAX_RUNNERS,
        DEFAULT_JOBS_PER_RUNNER,
        DEFAULT_IDLE_EXIT,
        DEFAULT_TIME_TO_LIVE,
        Launchers.AUTO,
        DEFAULT_SIZE,
        null,
        1);
  }

  /** The same settings for another queue. */
  public QueueConfig named(String n) {
    return new QueueConfig(
        n, maxRunners, jobsPerRunner, idleExit, timeToLive, launcher, size, command, claimBatch);
  }

  public QueueConfig maxRunners(int n) {
    return new QueueConfig(
        name, n, jobsPerRunner, idleExit, timeToLive, launcher, size, command, claimBatch);
  }

  public QueueConfig jobsPerRunner(int n) {
    return new QueueConfig(
        name, maxRunners, n, idleExit, timeToLive, launcher, size, command, claimBatch);
  }

  public QueueConfig idleExit(Duration d) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, d, timeToLive, launcher, size, command, claimBatch);
  }

  public QueueConfig timeToLive(Duration d) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, idleExit, d, launcher, size, command, claimBatch);
  }

  public QueueConfig launcher(String l) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, idleExit, timeToLive, l, size, command, claimBatch);
  }

  public QueueConfig size(String s) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, idleExit, timeToLive, launcher, s, command, claimBatch);
  }

  public QueueConfig command(String c) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, idleExit, timeToLive, launcher, size, c, claimBatch);
  }

  public QueueConfig claimBatch(int n) {
    return new QueueConfig(
        name, maxRunners, jobsPerRunner, idleExit, timeToLive, launcher, size, command, n);
  }

  /** The longest job timeout a runner of this queue can ever take on. */
  public Duration longestJob() {
    return timeToLive.minus(RunnerSettings.EXIT_MARGIN);
  }
}
