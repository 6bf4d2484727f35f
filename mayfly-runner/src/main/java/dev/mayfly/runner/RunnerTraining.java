package dev.mayfly.runner;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.RunnerQueue;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A runner's life in miniature, for the JVM to record what a runner loads and links: the training
 * run of a start-up cache (a JDK AOT cache or an AppCDS archive). It opens a scratch SQLite store,
 * enqueues a few no-op jobs and drains them through {@link RunnerMain#run} exactly as a launched
 * runner would, then deletes the store; given a PostgreSQL database in {@code
 * MAYFLY_TRAINING_DATABASE_URL}, it also runs a runner's statements there, changing nothing. {@code
 * java -cp APP_CLASSPATH dev.mayfly.runner.RunnerTraining SCRATCH_DIR}.
 */
public final class RunnerTraining {
  private static final int JOBS = 3;

  private RunnerTraining() {}

  /** Does nothing a real job would not: reads its arguments, logs, prints. */
  @JobType("mayfly-training")
  public static final class Noop implements Job<Noop.Args> {
    public record Args(int n) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      ctx.log().info("training job " + args.n());
      System.out.println("training job " + args.n() + " printed this");
      return Outcome.success();
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: RunnerTraining SCRATCH_DIR");
      System.exit(2);
    }
    int code = train(Path.of(args[0]), JobInstances.CONSTRUCTOR);
    System.out.flush();
    System.exit(code);
  }

  /**
   * The training run, for a main class that trains itself ({@code MayflySpringRunner} boots its app
   * first, then calls this with the app's way of making jobs).
   *
   * @param scratch a folder for the scratch store
   * @return the runner's exit code: 0 when the training jobs ran
   */
  public static int train(Path scratch, JobInstances instances) throws Exception {
    Path dir = Files.createDirectories(scratch);
    Path db = Files.createTempFile(dir, "training-", ".db");
    String url = "jdbc:sqlite:" + db.toAbsolutePath();
    JobTypes types = JobTypes.of(List.<Class<? extends Job<?>>>of(Noop.class));
    InstantSource clock = SystemTime.clock();
    Instant now = clock.instant();
    String runnerId;
    try (JobStore store = JobStores.open(url, 1)) {
      List<NewJob> jobs = new ArrayList<>();
      for (int i = 0; i < JOBS; i++) {
        jobs.add(
            new NewJob(
                "mayfly-training",
                "training",
                "{\"n\":" + i + "}",
                0,
                now,
                Duration.ofMinutes(1),
                1,
                now));
      }
      store.intake().enqueueAll(jobs);
      // a runner reports in only under the row reserved for it, as the dispatcher reserves it
      runnerId =
          store
              .fleet()
              .reserveRunners(new NewRunner("training", "local", null, now), 1, 1)
              .getFirst();
    }
    int code;
    try {
      code =
          RunnerMain.run(
              Map.of(
                  RunnerEnvironment.RUNNER_ID,
                  runnerId,
                  RunnerEnvironment.QUEUE,
                  "training",
                  RunnerEnvironment.DATABASE_URL,
                  url,
                  RunnerEnvironment.JOBS,
                  types.encode(),
                  RunnerEnvironment.DEADLINE,
                  now.plus(Duration.ofMinutes(5)).toString(),
                  RunnerEnvironment.IDLE_EXIT_MS,
                  "0"),
              false,
              clock,
              SystemTime.ticker(),
              instances);
    } finally {
      for (String suffix : List.of("", "-wal", "-shm")) {
        Files.deleteIfExists(Path.of(db + suffix));
      }
    }
    String postgres = System.getenv(RunnerEnvironment.TRAINING_DATABASE_URL);
    if (code == 0 && postgres != null && !postgres.isBlank()) {
      onPostgres(postgres);
    }
    return code;
  }

  /**
   * What a runner of a PostgreSQL store does around its jobs (connect, listen, report in, claim,
   * read the queue's rhythm, heartbeat, leave), on a queue that no job is in and for a runner that
   * is not in the table: each statement reads, or changes no row.
   */
  private static void onPostgres(String url) throws Exception {
    String queue = "__mayfly_training__";
    String runner = "r-training";
    try (JobStore store = JobStores.openForRunner(url)) {
      AutoCloseable listening = store.listen(q -> {});
      Instant now = SystemTime.clock().instant();
      RunnerQueue runners = store.runnerQueue();
      ClaimRequest claim =
          new ClaimRequest(queue, runner, now, Duration.ofMinutes(1), now.plusSeconds(30), 1);
      runners.startAndClaim(claim);
      runners.claim(claim);
      runners.retireIfSurplus(runner, queue, now);
      runners.arrivals(queue, IdleForecast.ARRIVALS);
      runners.heartbeat(runner, now, now.plusSeconds(30));
      runners.runnerExited(runner, 0, now);
      listening.close();
    }
  }
}
