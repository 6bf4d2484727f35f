package dev.mayfly.cli;

import dev.mayfly.bench.MayflyThroughput;
import dev.mayfly.bench.Result;
import dev.mayfly.protocol.RunnerSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "bench",
    description = "Benchmarks. The side-by-side run against peers is bench/compare.",
    subcommands = {
      BenchCommand.Throughput.class,
      BenchCommand.Cost.class,
      BenchCommand.Fleet.class
    })
final class BenchCommand {

  /** --db, else the environment's database, else null (the SQLite default). */
  /** {@code auto} (0), or 1 to 1000 jobs; anything else is a usage error naming the option. */
  static int claimBatch(String value) {
    if (value.trim().equalsIgnoreCase("auto")) {
      return RunnerSettings.AUTO_CLAIM_BATCH;
    }
    int n;
    try {
      n = RunnerSettings.claimBatch(value);
    } catch (IllegalArgumentException e) {
      n = -1;
    }
    if (n >= 1 && n <= 1000) {
      return n;
    }
    throw new IllegalArgumentException(
        "--claim-batch must be auto or a number from 1 to 1000, was '" + value + "'");
  }

  /** The database named by {@code --db} or the environment; "" for the SQLite default. */
  private static String databaseUrl(@Nullable String db) {
    if (db != null) {
      return db;
    }
    String env = System.getenv().getOrDefault("MAYFLY_DATABASE_URL", System.getenv("DATABASE_URL"));
    return env != null ? env : "";
  }

  @Command(
      name = "throughput",
      description =
          "Enqueue N no-op jobs (single and batch), execute them with W in-process workers, then"
              + " measure enqueue-to-start latency with warm workers. Runs in a scratch schema"
              + " (PostgreSQL) or file (SQLite) that is removed afterwards.")
  static final class Throughput implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "URL",
        description = "Database (default: the SQLite default)")
    @Nullable String db;

    @Option(
        names = "--jobs",
        defaultValue = "20000",
        description = "Jobs (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(
        names = "--workers",
        defaultValue = "8",
        description = "In-process workers (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(
        names = "--claim-batch",
        defaultValue = "auto",
        description =
            "Jobs a worker claims at once, 1 to 1000, or auto: sized from the jobs' durations"
                + " (default: ${DEFAULT-VALUE})")
    String claimBatchOption;

    @Option(names = "--json", description = "One JSON line with the figures")
    boolean json;

    @Override
    public Integer call() {
      int claimBatch = claimBatch(claimBatchOption);
      if (jobs < 1 || workers < 1 || workers > 256) {
        throw new IllegalArgumentException("--jobs must be at least 1, --workers 1 to 256");
      }
      Result r = MayflyThroughput.run(databaseUrl(db), jobs, workers, claimBatch);
      var out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", r.store());
        m.put("jobs", r.jobs());
        m.put("workers", r.workers());
        m.put("enqueuePerSecond", Math.round(r.enqueuePerSecond()));
        m.put("batchEnqueuePerSecond", Math.round(r.batchEnqueuePerSecond()));
        m.put("executePerSecond", Math.round(r.executePerSecond()));
        m.put("latencyP50Millis", r.latencyP50Millis());
        m.put("latencyP99Millis", r.latencyP99Millis());
        Output.json(out, m);
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "store             %s, %d jobs, %d workers, claim batch %s%n",
          r.store(),
          jobs,
          workers,
          claimBatchOption);
      out.printf(Locale.ROOT, "enqueue (single)  %,.0f jobs/s%n", r.enqueuePerSecond());
      out.printf(Locale.ROOT, "enqueue (batch)   %,.0f jobs/s%n", r.batchEnqueuePerSecond());
      out.printf(Locale.ROOT, "execute           %,.0f jobs/s%n", r.executePerSecond());
      out.printf(
          Locale.ROOT,
          "enqueue to start  p50 %.2f ms, p99 %.2f ms (warm workers)%n",
          r.latencyP50Millis(),
          r.latencyP99Millis());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "cost",
      description =
          "Time the cost report and the queue counts over a month of runner history (N runners,"
              + " K jobs each), in a scratch schema (PostgreSQL) or file (SQLite) removed"
              + " afterwards.")
  static final class Cost implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "URL",
        description = "Database (default: the SQLite default)")
    @Nullable String db;

    @Option(
        names = "--runners",
        defaultValue = "20000",
        description = "Runners in the month (default: ${DEFAULT-VALUE})")
    int runners;

    @Option(
        names = "--jobs-per-runner",
        defaultValue = "10",
        description = "Jobs each runner ran (default: ${DEFAULT-VALUE})")
    int jobsPerRunner;

    @Option(
        names = "--rounds",
        defaultValue = "5",
        description = "Timed rounds; the median is printed (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--json", description = "One JSON line with the figures")
    boolean json;

    @Override
    public Integer call() {
      if (runners < 1
          || runners > 1_000_000
          || jobsPerRunner < 1
          || jobsPerRunner > 1000
          || rounds < 1
          || rounds > 100) {
        throw new IllegalArgumentException(
            "--runners must be 1 to 1000000, --jobs-per-runner 1 to 1000, --rounds 1 to 100");
      }
      var r = dev.mayfly.bench.CostReportBench.run(databaseUrl(db), runners, jobsPerRunner, rounds);
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, r);
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "store         %s, %,d runners, %,d attempts over 30 days%n",
          r.store(),
          r.runners(),
          r.attempts());
      out.printf(
          Locale.ROOT, "cost report   %.1f ms (median of %d)%n", r.costReportMillis(), rounds);
      out.printf(Locale.ROOT, "queue counts  %.1f ms%n", r.queueCountsMillis());
      out.flush();
      return 0;
    }
  }

  @Command(
      name = "fleet",
      description =
          "Run N sleep jobs of D ms through real local runner processes at default settings (but"
              + " --max-runners), in a scratch schema (PostgreSQL) or file (SQLite) removed"
              + " afterwards, and report what the runners billed against the jobs' work, the wall"
              + " time against the ideal, launch to first job and queue wait, with java Hello"
              + " measured in the same run. The runner start-up cache is built first, as `mayfly"
              + " aot` would.")
  static final class Fleet implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--db",
        paramLabel = "URL",
        description = "Database (default: the SQLite default)")
    @Nullable String db;

    @Option(
        names = "--jobs",
        defaultValue = "1000",
        description = "Jobs (default: ${DEFAULT-VALUE})")
    int jobs;

    @Option(
        names = "--millis",
        defaultValue = "200",
        description = "Each job's work in ms (default: ${DEFAULT-VALUE})")
    long millis;

    @Option(
        names = "--max-runners",
        defaultValue = "8",
        description = "The queue's cap (default: ${DEFAULT-VALUE})")
    int maxRunners;

    @Option(
        names = "--trace",
        defaultValue = "steady",
        description =
            "steady (all at once), bursty (bursts of 20, 3 s apart) or single (one job at a time,"
                + " each runner alone) (default: ${DEFAULT-VALUE})")
    String trace;

    @Option(names = "--json", description = "One JSON line with the figures")
    boolean json;

    @Override
    public Integer call() {
      if (jobs < 1
          || jobs > 100_000
          || millis < 0
          || millis > 60_000
          || maxRunners < 1
          || maxRunners > 64) {
        throw new IllegalArgumentException(
            "--jobs must be 1 to 100000, --millis 0 to 60000, --max-runners 1 to 64");
      }
      if (!dev.mayfly.bench.FleetBench.TRACES.contains(trace)) {
        throw new IllegalArgumentException(
            "--trace must be one of "
                + dev.mayfly.bench.FleetBench.TRACES
                + ", was '"
                + trace
                + "'");
      }
      var r = dev.mayfly.bench.FleetBench.run(databaseUrl(db), jobs, millis, maxRunners, trace);
      var out = spec.commandLine().getOut();
      if (json) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("store", r.store());
        m.put("trace", r.trace());
        m.put("jobs", r.jobs());
        m.put("millis", r.millis());
        m.put("maxRunners", r.maxRunners());
        m.put("startupCache", r.startupCache());
        m.put("runners", r.runners());
        m.put("billedSeconds", round(r.billedSeconds()));
        m.put("startupSeconds", round(r.startupSeconds()));
        m.put("idleSeconds", round(r.idleSeconds()));
        m.put("workSeconds", round(r.workSeconds()));
        m.put("billedOverWork", round(r.billedOverWork()));
        m.put("wallSeconds", round(r.wallSeconds()));
        m.put("idealWallSeconds", round(r.idealWallSeconds()));
        m.put("wallOverIdeal", round(r.wallOverIdeal()));
        m.put("launchToFirstJobP50Millis", r.launchToFirstJobP50Millis());
        m.put("launchToFirstJobP95Millis", r.launchToFirstJobP95Millis());
        m.put("queueWaitP50Millis", r.queueWaitP50Millis());
        m.put("queueWaitP95Millis", r.queueWaitP95Millis());
        m.put("helloMillis", round(r.helloMillis()));
        m.put("launchOverHello", round(r.launchOverHello()));
        Output.json(out, m);
        return 0;
      }
      out.printf(
          Locale.ROOT,
          "store %s, trace %s, %d jobs of %d ms, max %d runners%n",
          r.store(),
          r.trace(),
          r.jobs(),
          r.millis(),
          r.maxRunners());
      out.printf(Locale.ROOT, "start-up cache      %s%n", r.startupCache());
      out.printf(Locale.ROOT, "runners launched    %d%n", r.runners());
      out.printf(
          Locale.ROOT,
          "billed              %.1f s for %.1f s of job work: %.2fx (start-up %.1f s, idle %.1f s)%n",
          r.billedSeconds(),
          r.workSeconds(),
          r.billedOverWork(),
          r.startupSeconds(),
          r.idleSeconds());
      out.printf(
          Locale.ROOT,
          "wall                %.1f s, ideal %.1f s (work / max runners): %.2fx%n",
          r.wallSeconds(),
          r.idealWallSeconds(),
          r.wallOverIdeal());
      out.printf(
          Locale.ROOT,
          "launch to first job p50 %.0f ms, p95 %.0f ms; java Hello %.1f ms: %.1fx%n",
          r.launchToFirstJobP50Millis(),
          r.launchToFirstJobP95Millis(),
          r.helloMillis(),
          r.launchOverHello());
      out.printf(
          Locale.ROOT,
          "queue wait          p50 %.0f ms, p95 %.0f ms%n",
          r.queueWaitP50Millis(),
          r.queueWaitP95Millis());
      out.flush();
      return 0;
    }

    private static double round(double v) {
      return Math.round(v * 1000) / 1000.0;
    }
  }
}
