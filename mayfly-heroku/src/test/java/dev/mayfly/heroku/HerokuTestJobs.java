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
      Thread.sleep(20); // the job's work, not a synchronisation
      ctx.log().info("work " + args.n() + " on dyno " + System.getenv("DYNO"));
      return Outcome.success();
    }
  }

  @JobType(value = "chatty", timeoutSeconds = 60)
  public static final class Chatty implements Job<Chatty.Args> {
    public record Args(int lines) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      for (int i = 0; i < args.lines(); i++) {
        System.out.println("out " + i); // plain output, not the job logger
      }
      return Outcome.success();
    }
  }

  @JobType(value = "slow-dyno-work", timeoutSeconds = 60)
  public static final class Slow implements Job<Slow.Args> {
    public record Args(long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      ctx.log().info("attempt " + ctx.attempt() + " on " + System.getenv("DYNO"));
      Thread.sleep(args.millis());
      return Outcome.success();
    }
  }
}
