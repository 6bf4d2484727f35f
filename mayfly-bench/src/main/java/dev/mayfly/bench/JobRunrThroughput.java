package dev.mayfly.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.stream.IntStream;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration.JobRunrConfigurationResult;
import org.jobrunr.scheduling.JobScheduler;
import org.jobrunr.server.BackgroundJobServer;
import org.jobrunr.server.BackgroundJobServerConfiguration;
import org.jobrunr.storage.sql.postgres.PostgresStorageProvider;

/**
 * The same workload on JobRunr (open-source edition) with its PostgreSQL storage, {@code workers}
 * worker threads and the shortest poll interval it accepts (5 s).
 */
public final class JobRunrThroughput {
  private JobRunrThroughput() {}

  /** The job JobRunr runs; a static method, as JobRunr serialises the call. */
  public static void noop(long enqueuedNanos) {
    Probe.executed(enqueuedNanos);
  }

  static Result run(BenchDatabase scratch, int jobs, int workers) {
    Probe.reset();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(scratch.url);
    hc.setMaximumPoolSize(workers + 4);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      JobRunrConfigurationResult jobRunr =
          JobRunr.configure()
              // JobRunr takes a schema as a table prefix
              .useStorageProvider(new PostgresStorageProvider(ds, scratch.schema + "."))
              .useBackgroundJobServer(
                  BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration()
                      .andWorkerCount(workers)
                      .andPollInterval(Duration.ofSeconds(5)),
                  false)
              .initialize();
      JobScheduler scheduler = jobRunr.getJobScheduler();

      int singles = Math.min(jobs, 5_000);
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        scheduler.enqueue(() -> JobRunrThroughput.noop(0L));
      }
      double single = Result.perSecond(singles, System.nanoTime() - t0);

      t0 = System.nanoTime();
      scheduler.<Integer>enqueue(IntStream.range(0, jobs).boxed(), i -> JobRunrThroughput.noop(0L));
      double batch = Result.perSecond(jobs, System.nanoTime() - t0);

      BackgroundJobServer server = JobRunr.getBackgroundJobServer();
      long total = singles + jobs;
      t0 = System.nanoTime();
      server.start();
      MayflyThroughput.awaitExecuted(total, Duration.ofMinutes(20));
      double execute = Result.perSecond(total, System.nanoTime() - t0);

      Probe.drainLatencies();
      long before = Probe.executed();
      for (int i = 0; i < 50; i++) {
        long now = System.nanoTime();
        scheduler.enqueue(() -> JobRunrThroughput.noop(now));
        MayflyThroughput.sleep(20);
      }
      MayflyThroughput.awaitExecuted(before + 50, Duration.ofMinutes(2));
      long[] latencies = Probe.drainLatencies();
      server.stop();
      JobRunr.destroy();
      return new Result(
          "JobRunr 8.2.0",
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
}
