package dev.mayfly.runner;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import java.time.Duration;

/** Scriptable job types for runner tests. */
public final class TestJobs {
  private TestJobs() {}

  @JobType("noop")
  public static final class Noop implements Job<Noop.Args> {
    public record Args(int n) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      ctx.log().info("noop " + args.n() + " attempt " + ctx.attempt());
      return Outcome.success();
    }
  }

  @JobType(value = "boom", maxAttempts = 3, backoffSeconds = 0)
  public static final class Boom implements Job<Boom.Args> {
    public record Args(String message) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      throw new IllegalStateException(args.message());
    }
  }

  /** Fails like {@link Boom}, with the default-sized backoff a real job type has. */
  @JobType(value = "flaky", maxAttempts = 3, backoffSeconds = 60)
  public static final class Flaky implements Job<Flaky.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      throw new IllegalStateException("upstream unavailable");
    }
  }

  /** Returns the outcome its arguments name: retry, snooze or discard. */
  @JobType("decide")
  public static final class Decide implements Job<Decide.Args> {
    public record Args(String outcome) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return switch (args.outcome()) {
        case "retry" -> Outcome.retry(Duration.ofMinutes(1), "upstream busy");
        case "snooze" -> Outcome.snooze(Duration.ofMinutes(1));
        case "discard" -> Outcome.discard("not wanted");
        default -> Outcome.success();
      };
    }
  }

  /** Sleeps, interruptibly; its 1 s timeout makes long sleeps time out. */
  @JobType(value = "slow", timeoutSeconds = 1)
  public static final class Slow implements Job<Slow.Args> {
    public record Args(long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis());
      return Outcome.success();
    }
  }

  /** Ignores interruption for as long as it is told to: a job that will not stop. */
  @JobType(value = "stubborn", timeoutSeconds = 1)
  public static final class Stubborn implements Job<Stubborn.Args> {
    public record Args(long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      long end = System.nanoTime() + args.millis() * 1_000_000;
      while (System.nanoTime() < end) {
        Thread.onSpinWait();
      }
      return Outcome.success();
    }
  }

  /** A job with the default 5-minute timeout that does nothing. */
  @JobType("long-timeout")
  public static final class LongTimeout implements Job<LongTimeout.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  /** Sleeps without looking at its cancellation flag: only an interrupt ends it early. */
  @JobType("sleepy")
  public static final class Sleepy implements Job<Sleepy.Args> {
    public record Args(long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis());
      return Outcome.success();
    }
  }
}
