package dev.mayfly.bench;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.cost.CostReport;
import dev.mayfly.launch.local.LocalLauncher;
import dev.mayfly.launch.local.LocalOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The whole one-off path, measured: jobs enqueued, runners launched as real local processes by the
 * dispatcher at default settings (but {@code maxRunners}), every job run, every runner gone. What
 * the runners billed is set against the jobs' own work, and start-up against a {@code java Hello}
 * started the same way in the same run.
 *
 * <p>Traces: {@code steady} enqueues every job at once; {@code bursty} sends them in bursts of 20
 * (a push of commits to a webhook) 3 s apart, quiet gaps long enough for runners to leave, so that
 * start-up and idle time both show; {@code single} sends one job at a time, each after the runners
 * of the last have left, so every runner starts alone on a quiet machine.
 */
public final class FleetBench {
  public static final List<String> TRACES = List.of("steady", "bursty", "single");
  private static final int BURST = 20;
  private static final Duration BURST_GAP = Duration.ofSeconds(3);
  private static final Duration PATIENCE = Duration.ofMinutes(20);

  private FleetBench() {}

  /** Sleeps as long as it is told: job work of a known length. */
  @JobType(value = "bench-sleep", timeoutSeconds = 120)
  public static final class Sleep implements dev.mayfly.api.Job<Sleep.Args> {
    public record Args(long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis());
      return Outcome.success();
    }
  }

  /** Prints nothing and exits: what the JVM alone costs to start. */
  public static final class Hello {
    public static void main(String[] args) {}
  }

  public record Result(
      String store,
      String trace,
      int jobs,
      long millis,
      int maxRunners,
      String startupCache,
      int runners,
      double billedSeconds,
      double startupSeconds,
      double idleSeconds,
      double workSeconds,
      double wallSeconds,
      double idealWallSeconds,
      double launchToFirstJobP50Millis,
      double launchToFirstJobP95Millis,
      double queueWaitP50Millis,
      double queueWaitP95Millis,
      double helloMillis) {

    public double billedOverWork() {
      return billedSeconds / workSeconds;
    }

    public double wallOverIdeal() {
      return wallSeconds / idealWallSeconds;
    }

    public double launchOverHello() {
      return launchToFirstJobP50Millis / helloMillis;
    }
  }

  public static Result run(String db, int jobs, long millis, int maxRunners, String trace) {
    if (!TRACES.contains(trace)) {
      throw new IllegalArgumentException("--trace must be one of " + TRACES + ", was " + trace);
    }
    LocalOptions options = LocalOptions.defaults();
    LocalLauncher launcher = new LocalLauncher(options, java.time.InstantSource.system());
    double hello = helloMillis(options);
    try (BenchDatabase scratch = BenchDatabase.create(db)) {
      // As after `mayfly aot`: the start-up cache is built before anything is measured.
      String cache = launcher.buildStartupCache(scratch.url);
      MayflyConfig config =
          MayflyConfig.builder()
              .database(scratch.url)
              .environment(Map.of())
              .jobs(List.of(Sleep.class))
              .launcher(launcher)
              .defaults(QueueConfig.defaults("default").launcher("local").maxRunners(maxRunners))
              .build();
      long startMillis = System.currentTimeMillis();
      try (Mayfly mayfly = Mayfly.create(config).start()) {
        switch (trace) {
          case "steady" -> enqueue(mayfly, jobs, millis);
          case "bursty" -> {
            for (int sent = 0; sent < jobs; ) {
              if (sent > 0) {
                sleep(BURST_GAP);
              }
              int size = Math.min(BURST, jobs - sent);
              enqueue(mayfly, size, millis);
              sent += size;
              awaitDone(mayfly, sent);
            }
          }
          default -> {
            for (int i = 0; i < jobs; i++) {
              enqueue(mayfly, 1, millis);
              awaitDone(mayfly, i + 1);
              awaitNoRunners(mayfly);
            }
          }
        }
        awaitDone(mayfly, jobs);
        awaitNoRunners(mayfly);
        CostReport.Usage usage =
            mayfly.admin().cost(Instant.ofEpochMilli(startMillis).minusSeconds(60)).total();
        Timings t = timings(scratch.url, startMillis);
        double work = jobs * millis / 1000.0;
        return new Result(
            scratch.label(),
            trace,
            jobs,
            millis,
            maxRunners,
            cache,
            usage.runners(),
            usage.billedSeconds(),
            usage.startupSeconds(),
            usage.idleSeconds(),
            work,
            t.wallSeconds,
            work / maxRunners,
            percentile(t.launchToFirstJob, 50),
            percentile(t.launchToFirstJob, 95),
            percentile(t.queueWait, 50),
            percentile(t.queueWait, 95),
            hello);
      }
    } finally {
      launcher.close();
    }
  }

  private static void enqueue(Mayfly mayfly, int n, long millis) {
    mayfly.enqueueMany(
        "bench-sleep", "{\"millis\": " + millis + "}", dev.mayfly.api.EnqueueOptions.defaults(), n);
  }

  private static void awaitDone(Mayfly mayfly, long jobs) {
    await(
        () ->
            mayfly.admin().queues().stream().mapToLong(q -> q.succeeded() + q.dead()).sum() >= jobs,
        "jobs to finish");
  }

  private static void awaitNoRunners(Mayfly mayfly) {
    await(
        () -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty(), "runners to exit");
  }

  private static void await(java.util.function.BooleanSupplier done, String what) {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("bench fleet: gave up waiting for " + what);
      }
      // The harness watches the store as a user would; no event tells it that jobs ended in
      // other processes, so it looks again every 20 ms.
      sleep(Duration.ofMillis(20));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private record Timings(double wallSeconds, List<Long> launchToFirstJob, List<Long> queueWait) {}

  /** From the store itself: every runner's launch to its first claim, every job's wait. */
  private static Timings timings(String url, long startMillis) {
    try (Connection c = DriverManager.getConnection(url);
        Statement st = c.createStatement()) {
      List<Long> launch = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT min(a.started_at) - r.launched_at FROM mayfly_runners r"
                  + " JOIN mayfly_attempts a ON a.runner_id = r.id GROUP BY r.id, r.launched_at")) {
        while (rs.next()) {
          launch.add(rs.getLong(1));
        }
      }
      List<Long> wait = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT a.started_at - j.run_at FROM mayfly_jobs j JOIN mayfly_attempts a"
                  + " ON a.job_id = j.id AND a.attempt = 1")) {
        while (rs.next()) {
          wait.add(rs.getLong(1));
        }
      }
      long last;
      try (ResultSet rs = st.executeQuery("SELECT max(finished_at) FROM mayfly_jobs")) {
        rs.next();
        last = rs.getLong(1);
      }
      return new Timings((last - startMillis) / 1000.0, launch, wait);
    } catch (SQLException e) {
      throw new IllegalStateException("bench fleet: reading the timings failed: " + e, e);
    }
  }

  /** The median of 11 starts of an empty main class, with the runner's JDK and JVM options. */
  private static double helloMillis(LocalOptions options) {
    List<String> cmd = new ArrayList<>();
    cmd.add(options.javaBinary().toString());
    cmd.addAll(options.jvmOptions());
    cmd.add("-cp");
    cmd.add(Hello.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    cmd.add(Hello.class.getName());
    List<Long> times = new ArrayList<>();
    try {
      for (int i = 0; i < 11; i++) {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("java Hello did not exit cleanly: " + cmd);
        }
        times.add((System.nanoTime() - t0) / 1_000);
      }
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot start java Hello: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return percentile(times, 50) / 1000.0;
  }

  private static double percentile(List<Long> values, int p) {
    if (values.isEmpty()) {
      return Double.NaN;
    }
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
