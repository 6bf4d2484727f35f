package dev.mayfly.kubernetes;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class KubernetesTestJobs {
  private KubernetesTestJobs() {}

  @JobType(value = "pod-work", timeoutSeconds = 60)
  public static final class Work implements Job<Work.Args> {
    public record Args(int n, long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis()); // the job's work, not a synchronisation
      ctx.log().info("work " + args.n() + " in pod " + System.getenv("HOSTNAME"));
      return Outcome.success();
    }
  }
}
