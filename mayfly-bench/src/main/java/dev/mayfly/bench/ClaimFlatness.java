package dev.mayfly.bench;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.JobStores;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * Does claiming slow down as finished jobs pile up? Enqueues {@code jobs} no-op jobs, executes them
 * all, and compares how long the first 1,000 and the last 1,000 took.
 *
 * <pre>bench/compare --flatness --jobs 200000 --workers 8</pre>
 */
final class ClaimFlatness {
  private static final int WINDOW = 1_000;

  private ClaimFlatness() {}

  record Flatness(int jobs, double firstPerSecond, double lastPerSecond) {
    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "%d jobs: first %d at %.0f jobs/s, last %d at %.0f jobs/s (last/first %.2f)",
          jobs,
          WINDOW,
          firstPerSecond,
          WINDOW,
          lastPerSecond,
          lastPerSecond / firstPerSecond);
    }
  }

  static Flatness run(BenchDatabase scratch, int jobs, int workers, int claimBatch) {
    Probe.reset();
    MayflyConfig config =
        MayflyConfig.builder().database(scratch.url).environment(Map.of()).jobs(Noop.class).build();
    try (Mayfly mayfly = Mayfly.create(config);
        JobStore store = JobStores.open(scratch.url, workers + 2)) {
      EnqueueOptions options = EnqueueOptions.defaults().queue("bench");
      for (int done = 0; done < jobs; done += 10_000) {
        mayfly.enqueueMany(
            "bench-noop", "{\"enqueuedNanos\":0}", options, Math.min(10_000, jobs - done));
      }
      var workersRunning = MayflyThroughput.startWorkers(store, workers, claimBatch);
      long t0 = System.nanoTime();
      MayflyThroughput.awaitExecuted(WINDOW, Duration.ofMinutes(5));
      long t1 = System.nanoTime();
      MayflyThroughput.awaitExecuted(jobs - WINDOW, Duration.ofMinutes(30));
      long t2 = System.nanoTime();
      MayflyThroughput.awaitExecuted(jobs, Duration.ofMinutes(5));
      long t3 = System.nanoTime();
      workersRunning.run();
      return new Flatness(
          jobs, Result.perSecond(WINDOW, t1 - t0), Result.perSecond(WINDOW, t3 - t2));
    }
  }
}
