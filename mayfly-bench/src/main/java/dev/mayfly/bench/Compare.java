package dev.mayfly.bench;

import dev.mayfly.internal.jobs.Json;
import dev.mayfly.protocol.RunnerSettings;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The side-by-side run for docs/benchmarks.md: the same workload on Mayfly, db-scheduler and
 * JobRunr, on the same PostgreSQL, interleaved round by round so a noisy neighbour hurts all alike;
 * medians per system and ratios against Mayfly.
 *
 * <pre>
 * bench/compare --db jdbc:postgresql://127.0.0.1:5432/test?user=postgres --jobs 20000 --workers 8
 * </pre>
 */
public final class Compare {
  private Compare() {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = parse(argv);
    String db = a.getOrDefault("db", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
    int jobs = Integer.parseInt(a.getOrDefault("jobs", "20000"));
    int workers = Integer.parseInt(a.getOrDefault("workers", "8"));
    int rounds = Integer.parseInt(a.getOrDefault("rounds", "3"));
    int claimBatch = RunnerSettings.claimBatch(a.getOrDefault("claim-batch", "auto"));
    List<String> systems =
        Arrays.asList(
            a.getOrDefault("systems", "mayfly,mayfly-batch1,db-scheduler,jobrunr").split(","));

    if (a.containsKey("flatness")) {
      try (BenchDatabase scratch = BenchDatabase.create(db)) {
        System.out.println(ClaimFlatness.run(scratch, jobs, workers, claimBatch));
      }
      return;
    }
    Map<String, List<Result>> results = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (String system : systems) {
        try (BenchDatabase scratch = BenchDatabase.create(db)) {
          Result r =
              switch (system) {
                case "mayfly" -> MayflyThroughput.run(scratch, jobs, workers, claimBatch);
                case "mayfly-batch1" -> relabel(MayflyThroughput.run(scratch, jobs, workers, 1));
                case "db-scheduler" -> DbSchedulerThroughput.run(scratch, jobs, workers);
                case "jobrunr" -> JobRunrThroughput.run(scratch, jobs, workers);
                default -> throw new IllegalArgumentException("unknown system " + system);
              };
          System.err.printf(Locale.ROOT, "round %d %s%n", round, r);
          if (a.containsKey("json")) {
            System.out.println(Json.mapper().writeValueAsString(r));
          }
          results.computeIfAbsent(system, s -> new ArrayList<>()).add(r);
        }
      }
    }
    printTable(results, claimBatch);
  }

  private static Result relabel(Result r) {
    return new Result(
        "mayfly (claim-batch 1)",
        r.store(),
        r.jobs(),
        r.workers(),
        r.enqueuePerSecond(),
        r.batchEnqueuePerSecond(),
        r.executePerSecond(),
        r.latencyP50Millis(),
        r.latencyP99Millis());
  }

  /**
   * Medians over the rounds; every system's execute rate is also given as a ratio to
   * db-scheduler's.
   */
  private static void printTable(Map<String, List<Result>> results, int claimBatch) {
    double peer = median(results.getOrDefault("db-scheduler", List.of()), Result::executePerSecond);
    System.out.printf(
        "%n| system | enqueue/s (single) | enqueue/s (batch) | execute/s | execute ÷ db-scheduler |"
            + " latency p50 ms | p99 ms |%n|---|---:|---:|---:|---:|---:|---:|%n");
    for (var e : results.entrySet()) {
      List<Result> rs = e.getValue();
      double exec = median(rs, Result::executePerSecond);
      System.out.printf(
          Locale.ROOT,
          "| %s | %.0f | %.0f | %.0f | %s | %.1f | %.1f |%n",
          e.getKey().equals("mayfly")
              ? "mayfly (claim-batch " + RunnerSettings.claimBatchText(claimBatch) + ")"
              : rs.getFirst().system(),
          median(rs, Result::enqueuePerSecond),
          median(rs, Result::batchEnqueuePerSecond),
          exec,
          peer > 0 ? String.format(Locale.ROOT, "%.2fx", exec / peer) : "-",
          median(rs, Result::latencyP50Millis),
          median(rs, Result::latencyP99Millis));
    }
  }

  static double median(List<Result> rs, ToDoubleFunction<Result> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  private static Map<String, String> parse(String[] argv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < argv.length; i++) {
      if (!argv[i].startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + argv[i]);
      }
      String k = argv[i].substring(2);
      if (k.equals("json") || k.equals("flatness")) {
        m.put(k, "true");
      } else {
        m.put(k, argv[++i]);
      }
    }
    return m;
  }
}
