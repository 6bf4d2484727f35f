package dev.mayfly.dashboard;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class TestJobs {
  private TestJobs() {}

  /** Sleeps, then succeeds; logs a line. */
  @JobType(value = "nap", timeoutSeconds = 60)
  public static final class Nap implements Job<Nap.Args> {
    public record Args(long millis, String note) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      ctx.log().info("napping " + args.millis() + " ms: " + args.note());
      Thread.sleep(args.millis()); // the job's work, not a synchronisation
      return Outcome.success();
    }
  }

  /** Fails its first attempt, and has no other: it is dead until someone retries it. */
  @JobType(value = "fail-once", maxAttempts = 1, backoffSeconds = 0)
  public static final class FailOnce implements Job<FailOnce.Args> {
    public record Args(String why) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      ctx.log().info("attempt " + ctx.attempt());
      if (ctx.attempt() == 1) {
        throw new IllegalStateException("first attempt fails: " + args.why());
      }
      return Outcome.success();
    }
  }
}
