package dev.mayfly.kubernetes;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class KubernetesTestJobs {
  private KubernetesTestJobs() {}

  /** What an emulated image runs: {@code main} in a JVM on this test's class path. */
  static java.util.List<String> javaImage(String main) {
    return java.util.List.of(
        java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC",
        "--enable-native-access=ALL-UNNAMED",
        "-cp",
        System.getProperty("java.class.path"),
        main);
  }

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

  @JobType(value = "pod-chatty", timeoutSeconds = 60)
  public static final class Chatty implements Job<Chatty.Args> {
    public record Args(int lines, long pauseMillis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      for (int i = 0; i < args.lines(); i++) {
        System.out.println("out " + i); // plain output, not the job logger
        if (args.pauseMillis() > 0) {
          Thread.sleep(args.pauseMillis()); // output spread over time, to be read while it runs
        }
      }
      return Outcome.success();
    }
  }
}
