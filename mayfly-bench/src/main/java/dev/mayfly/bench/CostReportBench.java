package dev.mayfly.bench;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.cost.CostReport;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.JobStores;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How long the cost report (the dashboard's cost page, {@code mayfly cost}) and the overview's
 * queue counts take over a month of runner history: {@code runners} runners spread over 30 days,
 * each with {@code jobsPerRunner} attempts. The history is written with plain batched inserts, as a
 * data generator, into a scratch schema or file that is removed afterwards.
 */
public final class CostReportBench {
  private CostReportBench() {}

  /** Medians over the rounds, in milliseconds. */
  public record Result(
      String store, int runners, int attempts, double costReportMillis, double queueCountsMillis) {}

  public static Result run(String db, int runners, int jobsPerRunner, int rounds) {
    try (BenchDatabase scratch = BenchDatabase.create(db)) {
      MayflyConfig config =
          MayflyConfig.builder().database(scratch.url).environment(Map.of()).build();
      try (Mayfly mayfly = Mayfly.create(config)) { // creates the schema
        Instant now = Instant.now();
        seed(scratch.url, runners, jobsPerRunner, now);
        try (JobStore store = JobStores.open(scratch.url)) {
          // as the dispatcher's hourly prune does: ended runners' counts folded into the totals
          store.fleet().prune(now.minus(Duration.ofDays(60)));
        }
        analyze(scratch.url);
        double[] cost = new double[rounds];
        double[] counts = new double[rounds];
        for (int i = 0; i < rounds; i++) {
          long t0 = System.nanoTime();
          CostReport report = mayfly.admin().cost(mayfly.admin().now().minus(Duration.ofDays(30)));
          cost[i] = (System.nanoTime() - t0) / 1e6;
          if (report.total().runners() != runners) {
            throw new IllegalStateException(
                "the report saw " + report.total().runners() + " runners of " + runners);
          }
          t0 = System.nanoTime();
          long succeeded = mayfly.admin().queues().stream().mapToLong(q -> q.succeeded()).sum();
          counts[i] = (System.nanoTime() - t0) / 1e6;
          if (succeeded != (long) runners * jobsPerRunner) {
            throw new IllegalStateException(
                "the counts saw " + succeeded + " succeeded jobs of " + runners * jobsPerRunner);
          }
        }
        return new Result(
            scratch.label(), runners, runners * jobsPerRunner, median(cost), median(counts));
      }
    }
  }

  private static void seed(String url, int runners, int jobsPerRunner, Instant now) {
    long end = now.toEpochMilli();
    long span = Duration.ofDays(29).toMillis();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    try (Connection c = DriverManager.getConnection(url)) {
      c.setAutoCommit(false);
      try (PreparedStatement r =
              c.prepareStatement(
                  "INSERT INTO mayfly_runners (id, queue, launcher, size, platform_id, state,"
                      + " launched_at, started_at, heartbeat_at, exited_at, exit_code, jobs_run,"
                      + " succeeded) VALUES (?, ?, 'heroku', 'standard-1x', ?, 'exited', ?, ?, ?,"
                      + " ?, 0, ?, ?)");
          PreparedStatement j =
              c.prepareStatement(
                  "INSERT INTO mayfly_jobs (type, queue, args, state, run_at, timeout_ms,"
                      + " attempts, max_attempts, runner_id, enqueued_at, started_at, finished_at)"
                      + " VALUES ('noop', ?, '{}', 'succeeded', ?, 60000, 1, 10, ?, ?, ?, ?)");
          PreparedStatement a =
              c.prepareStatement(
                  "INSERT INTO mayfly_attempts (job_id, attempt, runner_id, started_at,"
                      + " finished_at, outcome) VALUES (?, 1, ?, ?, ?, 'succeeded')")) {
        long jobId = 0;
        for (int i = 0; i < runners; i++) {
          String id = "r-bench" + i;
          String queue = "q" + (i % 4);
          long launched = end - span + random.nextLong(span);
          long started = launched + 800 + random.nextLong(400);
          long t = started;
          for (int k = 0; k < jobsPerRunner; k++) {
            long took = 200 + random.nextLong(2000);
            j.setString(1, queue);
            j.setLong(2, t);
            j.setString(3, id);
            j.setLong(4, t);
            j.setLong(5, t);
            j.setLong(6, t + took);
            j.addBatch();
            a.setLong(1, ++jobId);
            a.setString(2, id);
            a.setLong(3, t);
            a.setLong(4, t + took);
            a.addBatch();
            t += took;
          }
          long exited = t + 2000;
          r.setString(1, id);
          r.setString(2, queue);
          r.setString(3, "run." + i);
          r.setLong(4, launched);
          r.setLong(5, started);
          r.setLong(6, exited);
          r.setLong(7, exited);
          r.setInt(8, jobsPerRunner);
          r.setInt(9, jobsPerRunner);
          r.addBatch();
          if (i % 1000 == 999 || i == runners - 1) {
            r.executeBatch();
            j.executeBatch();
            a.executeBatch();
          }
        }
      }
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("seeding the runner history failed: " + e.getMessage(), e);
    }
  }

  /**
   * Brings the planner's statistics up to date, as autovacuum does within a minute of a bulk load:
   * the figures are the steady state, not the first minute after writing a month at once.
   */
  private static void analyze(String url) {
    try (Connection c = DriverManager.getConnection(url);
        var st = c.createStatement()) {
      st.execute("ANALYZE");
    } catch (SQLException e) {
      throw new IllegalStateException("ANALYZE failed: " + e.getMessage(), e);
    }
  }

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v[v.length / 2];
  }
}
