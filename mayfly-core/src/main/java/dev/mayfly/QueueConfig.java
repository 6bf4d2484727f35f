package dev.mayfly;

import dev.mayfly.internal.names.QueueNames;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.protocol.TimeToLive;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one queue's runners are launched. Immutable; change it with the withers.
 *
 * <p>The fleet sizes itself: the dispatcher launches as many runners as it takes to start the ready
 * jobs within one start-up plus {@code targetWait}, judged from the queue's measured job duration
 * and runner start-up (see docs/architecture.md, "Sizing the fleet"); a runner drains its queue and
 * leaves once it has waited about as long as a new runner takes to start, or at once when other
 * runners of the queue can take what comes.
 *
 * @param maxRunners at most this many runners of the queue alive at once, across every app node
 * @param jobsPerRunner an optional cap: a runner exits after this many jobs, for apps that want
 *     their processes recycled; 0 (the default) for no cap, so a runner drains its queue
 * @param idleMin the shortest a runner waits for new work once its queue is empty
 * @param idleMax the longest it waits: between the two, it waits as long as the queue's runners
 *     have taken to start lately (the ski-rental rule: waiting longer costs more than a new start)
 * @param targetWait how much longer than one runner start-up a ready job may wait; the dispatcher
 *     launches more runners when the ones alive would not start every ready job within that
 * @param timeToLive the platform kills a runner this long after launch; a runner takes no job it
 *     could not finish before then
 * @param launcher {@code auto}, {@code local} or {@code inprocess} (or a launcher registered with
 *     the builder)
 * @param size the platform's machine size for runners, such as {@code standard-1x}
 * @param command what a platform that runs commands (Heroku) starts a runner with; null for the
 *     launcher's default
 * @param claimBatch jobs a runner claims and records at once: {@link #AUTO_CLAIM_BATCH} (the
 *     default) as many as its recent jobs took a tenth of a second to run, at most 50, so jobs of
 *     100 ms or more go one at a time; 1 records each job as it ends; more saves database round
 *     trips when jobs are many and short
 */
public record QueueConfig(
    String name,
    int maxRunners,
    int jobsPerRunner,
    Duration idleMin,
    Duration idleMax,
    Duration targetWait,
    Duration timeToLive,
    String launcher,
    String size,
    @Nullable String command,
    int claimBatch) {

  public static final int DEFAULT_MAX_RUNNERS = 4;

  /** {@code claimBatch}: sized by each runner from its jobs' durations (the default). */
  public static final int AUTO_CLAIM_BATCH = RunnerSettings.AUTO_CLAIM_BATCH;

  /** No cap: a runner takes jobs until its queue is empty or its time-to-live nears. */
  public static final int NO_JOB_CAP = 0;

  public static final Duration DEFAULT_IDLE_MIN = Duration.ofMillis(250);
  public static final Duration DEFAULT_IDLE_MAX = Duration.ofSeconds(60);
  public static final Duration DEFAULT_TARGET_WAIT = Duration.ofSeconds(2);
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
    if (jobsPerRunner < 0) {
      throw new IllegalArgumentException(
          where + "jobsPerRunner must be 0 (no cap) or more, was " + jobsPerRunner);
    }
    if (idleMin == null || idleMin.isNegative()) {
      throw new IllegalArgumentException(where + "idleMin must be zero or more, was " + idleMin);
    }
    if (idleMax == null || idleMax.compareTo(idleMin) < 0) {
      throw new IllegalArgumentException(
          where + "idleMax (" + idleMax + ") must be at least idleMin (" + idleMin + ")");
    }
    if (targetWait == null || targetWait.isNegative()) {
      throw new IllegalArgumentException(
          where + "targetWait must be zero or more, was " + targetWait);
    }
    if (timeToLive == null || timeToLive.compareTo(MIN_TIME_TO_LIVE) < 0) {
      throw new IllegalArgumentException(
          where + "timeToLive must be at least " + MIN_TIME_TO_LIVE + ", was " + timeToLive);
    }
    if (idleMax.compareTo(timeToLive) >= 0) {
      throw new IllegalArgumentException(
          where
              + "the idle wait ("
              + idleMax
              + ") must be shorter than timeToLive ("
              + timeToLive
              + "); lower idleMax or idleExit");
    }
    if (claimBatch < 0 || claimBatch > 1000) {
      throw new IllegalArgumentException(
          where + "claimBatch must be between 1 and 1000, or 0 for automatic, was " + claimBatch);
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
        NO_JOB_CAP,
        DEFAULT_IDLE_MIN,
        DEFAULT_IDLE_MAX,
        DEFAULT_TARGET_WAIT,
        DEFAULT_TIME_TO_LIVE,
        Launchers.AUTO,
        DEFAULT_SIZE,
        null,
        AUTO_CLAIM_BATCH);
  }

  /** The same settings for another queue. */
  public QueueConfig named(String n) {
    return new QueueConfig(
        n,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        size,
        command,
        claimBatch);
  }

  public QueueConfig maxRunners(int n) {
    return new QueueConfig(
        name,
        n,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        size,
        command,
        claimBatch);
  }

  /** Caps the jobs one runner takes ({@link #NO_JOB_CAP} for none). */
  public QueueConfig jobsPerRunner(int n) {
    return new QueueConfig(
        name,
        maxRunners,
        n,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        size,
        command,
        claimBatch);
  }

  /** A fixed idle wait, whatever start-up costs: {@code idleMin} and {@code idleMax} both. */
  public QueueConfig idleExit(Duration d) {
    return idleBounds(d, d);
  }

  /** The bounds of the idle wait, which otherwise follows the measured start-up. */
  public QueueConfig idleBounds(Duration min, Duration max) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        min,
        max,
        targetWait,
        timeToLive,
        launcher,
        size,
        command,
        claimBatch);
  }

  public QueueConfig targetWait(Duration d) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        d,
        timeToLive,
        launcher,
        size,
        command,
        claimBatch);
  }

  public QueueConfig timeToLive(Duration d) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        d,
        launcher,
        size,
        command,
        claimBatch);
  }

  public QueueConfig launcher(String l) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        l,
        size,
        command,
        claimBatch);
  }

  public QueueConfig size(String s) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        s,
        command,
        claimBatch);
  }

  public QueueConfig command(String c) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        size,
        c,
        claimBatch);
  }

  public QueueConfig claimBatch(int n) {
    return new QueueConfig(
        name,
        maxRunners,
        jobsPerRunner,
        idleMin,
        idleMax,
        targetWait,
        timeToLive,
        launcher,
        size,
        command,
        n);
  }

  /**
   * The longest job timeout this queue accepts: one its runners can take on even after a slow start
   * ({@link TimeToLive#longestJobOfQueue}).
   */
  public Duration longestJob() {
    return TimeToLive.longestJobOfQueue(timeToLive);
  }
}
