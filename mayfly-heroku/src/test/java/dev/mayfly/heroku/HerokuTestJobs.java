package dev.mayfly.heroku;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class HerokuTestJobs {
  private HerokuTestJobs() {}

  @JobType(value = "dyno-work", timeoutSeconds = 60)
  public static final class Work implements Job<Work.Args> {
    public record Args(int n) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(20);
      ctx.log().info("work " + args.n() + " on dyno " + System.getenv("DYNO"));
      return Outcome.success();
    }
  }
}
