package dev.mayfly.bench;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.runner.Runner;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.connect.JobStores;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Mayfly's throughput on one database, in four phases:
 *
 * <ol>
 *   <li>single enqueue: one {@code Mayfly.enqueue} (one transaction) per job, from one thread;
 *   <li>batch enqueue: {@code enqueueMany} in batches of 1,000;
 *   <li>execute: every job enqueued so far, by {@code workers} in-process runners (the same {@link
 *       Runner} a one-off process runs), each claiming {@code claimBatch} at a time;
 *   <li>latency: with the runners warm and idle, jobs enqueued one at a time, 2 ms apart; each job
 *       measures enqueue-to-start in this JVM.
 * </ol>
 */
public final class MayflyThroughput {
  private static final String QUEUE = "bench";
  private static final int BATCH = 1_000;
  private static final int LATENCY_SAMPLES = 400;

  private MayflyThroughput() {}

  public static Result run(String db, int jobs, int workers, int claimBatch) {
    try (BenchDatabase scratch = BenchDatabase.create(db)) {
      return run(scratch, jobs, workers, claimBatch);
    }
  }

  static Result run(BenchDatabase scratch, int jobs, int workers, int claimBatch) {
    Probe.reset();
    MayflyConfig config =
        MayflyConfig.builder().database(scratch.url).environment(Map.of()).jobs(Noop.class).build();
    try (Mayfly mayfly = Mayfly.create(config);
        JobStore store = JobStores.open(scratch.url, workers + 2)) {
      EnqueueOptions options = EnqueueOptions.defaults().queue(QUEUE);
      String args = "{\"enqueuedNanos\":0}";

      int singles = Math.min(jobs, 5_000);
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        mayfly.enqueue(Noop.class, new Noop.Args(0), options);
      }
      double single = Result.perSecond(singles, System.nanoTime() - t0);

      t0 = System.nanoTime();
      for (int done = 0; done < jobs; done += BATCH) {
        mayfly.enqueueMany("bench-noop", args, options, Math.min(BATCH, jobs - done));
      }
      double batch = Result.perSecond(jobs, System.nanoTime() - t0);

      long total = singles + jobs;
      Workers w = Workers.start(store, workers, claimBatch, Duration.ofMillis(300));
      t0 = System.nanoTime();
      awaitExecuted(total, Duration.ofMinutes(10));
      double execute = Result.perSecond(total, System.nanoTime() - t0);
      w.stop();

      Workers warm = Workers.start(store, workers, 1, Duration.ofMinutes(5));
      Probe.drainLatencies();
      long before = Probe.executed();
      for (int i = 0; i < LATENCY_SAMPLES; i++) {
        mayfly.enqueue(Noop.class, new Noop.Args(System.nanoTime()), options);
        sleep(2);
      }
      awaitExecuted(before + LATENCY_SAMPLES, Duration.ofMinutes(1));
      warm.stop();
      long[] latencies = Probe.drainLatencies();
      return new Result(
          "mayfly",
          scratch.label(),
          jobs,
          workers,
          single,
          batch,
          execute,
          Result.percentileMillis(latencies, 0.50),
          Result.percentileMillis(latencies, 0.99));
    }
  }

  /** Starts in-process workers; the returned action stops them and waits. */
  static Runnable startWorkers(JobStore store, int n, int claimBatch) {
    Workers w = Workers.start(store, n, claimBatch, Duration.ofSeconds(5));
    return w::stop;
  }

  static void awaitExecuted(long n, Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (Probe.executed() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + Probe.executed() + " of " + n + " jobs ran within " + max);
      }
      Thread.onSpinWait();
      sleep(1);
    }
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis); // pacing of the benchmark, not synchronisation
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** In-process runners, each on its own thread, as the in-process launcher would run them. */
  private record Workers(List<Runner> runners, List<Thread> threads) {
    static Workers start(JobStore store, int n, int claimBatch, Duration idleExit) {
      JobTypes types = JobTypes.of(List.of(Noop.class));
      PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
      List<String> ids =
          store
              .fleet()
              .reserveRunners(new NewRunner(QUEUE, "inprocess", null, Instant.now()), n, n);
      List<Runner> runners = new ArrayList<>();
      List<Thread> threads = new ArrayList<>();
      for (String id : ids) {
        RunnerSettings s =
            new RunnerSettings(
                id,
                QUEUE,
                "unused",
                types.encode(),
                Integer.MAX_VALUE,
                idleExit,
                Instant.now().plus(Duration.ofHours(1)),
                Duration.ofMillis(50),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                claimBatch,
                false); // stand-ins for always-on workers: they stay when the queue is empty
        Runner r = new Runner(s, store, types, InstantSource.system(), quiet);
        runners.add(r);
        threads.add(Thread.ofPlatform().name("bench-" + id).start(r::run));
      }
      return new Workers(runners, threads);
    }

    void stop() {
      runners.forEach(Runner::stop);
      for (Thread t : threads) {
        try {
          t.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
