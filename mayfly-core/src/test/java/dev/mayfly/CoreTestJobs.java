package dev.mayfly;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class CoreTestJobs {
  private CoreTestJobs() {}

  /** Works for a few milliseconds and logs which process did it. */
  @JobType(value = "work", timeoutSeconds = 60)
  public static final class Work implements Job<Work.Args> {
    public record Args(int n, long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis());
      System.out.println("printed by job " + args.n());
      ctx.log().info("work " + args.n() + " in pid " + ProcessHandle.current().pid());
      return Outcome.success();
    }
  }

  @JobType(value = "hours", timeoutSeconds = 7200)
  public static final class Hours implements Job<Hours.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  /** Always throws. */
  @JobType(value = "poison", maxAttempts = 3, backoffSeconds = 0)
  public static final class Poison implements Job<Poison.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      throw new IllegalStateException("poison, attempt " + ctx.attempt());
    }
  }
}
