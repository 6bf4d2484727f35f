package dev.mayfly.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The same workload on db-scheduler, configured for speed as its documentation advises:
 * lock-and-fetch polling (one {@code UPDATE ... FOR UPDATE SKIP LOCKED} per batch), immediate
 * execution of locally scheduled work, a 100 ms polling interval, {@code workers} threads.
 */
final class DbSchedulerThroughput {
  private static final int BATCH = 1_000;

  private DbSchedulerThroughput() {}

  static Result run(BenchDatabase scratch, int jobs, int workers) throws SQLException {
    Probe.reset();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(scratch.url);
    hc.setMaximumPoolSize(workers + 4);
    try (HikariDataSource ds = new HikariDataSource(hc)) {
      try (Connection c = ds.getConnection()) {
        // db-scheduler's documented PostgreSQL table.
        c.createStatement()
            .execute(
                "CREATE TABLE scheduled_tasks (task_name TEXT NOT NULL, task_instance TEXT NOT"
                    + " NULL, task_data BYTEA, execution_time TIMESTAMPTZ NOT NULL, picked BOOLEAN"
                    + " NOT NULL, picked_by TEXT, last_success TIMESTAMPTZ, last_failure"
                    + " TIMESTAMPTZ, consecutive_failures INT, last_heartbeat TIMESTAMPTZ, version"
                    + " BIGINT NOT NULL, priority SMALLINT, PRIMARY KEY (task_name,"
                    + " task_instance))");
        c.createStatement()
            .execute("CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time)");
        c.createStatement()
            .execute("CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat)");
        c.createStatement()
            .execute(
                "CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority DESC,"
                    + " execution_time ASC)");
      }
      OneTimeTask<Long> task =
          Tasks.oneTime("noop", Long.class).execute((inst, ctx) -> Probe.executed(inst.getData()));
      SchedulerClient client = SchedulerClient.Builder.create(ds, task).build();

      int singles = Math.min(jobs, 5_000);
      long t0 = System.nanoTime();
      for (int i = 0; i < singles; i++) {
        client.schedule(task.instance("s" + i, 0L), Instant.now());
      }
      double single = Result.perSecond(singles, System.nanoTime() - t0);

      t0 = System.nanoTime();
      for (int done = 0; done < jobs; done += BATCH) {
        List<TaskInstance<?>> batch = new ArrayList<>();
        for (int i = done; i < Math.min(jobs, done + BATCH); i++) {
          batch.add(task.instance("b" + i, 0L));
        }
        client.scheduleBatch(batch, Instant.now());
      }
      double batchRate = Result.perSecond(jobs, System.nanoTime() - t0);

      Scheduler scheduler =
          Scheduler.create(ds, task)
              .threads(workers)
              .pollUsingLockAndFetch(0.5, 1.0)
              .pollingInterval(Duration.ofMillis(100))
              .enableImmediateExecution()
              .build();
      long total = singles + jobs;
      t0 = System.nanoTime();
      scheduler.start();
      MayflyThroughput.awaitExecuted(total, Duration.ofMinutes(15));
      double execute = Result.perSecond(total, System.nanoTime() - t0);

      Probe.drainLatencies();
      long before = Probe.executed();
      for (int i = 0; i < 400; i++) {
        scheduler.schedule(task.instance("l" + i, System.nanoTime()), Instant.now());
        MayflyThroughput.sleep(2);
      }
      MayflyThroughput.awaitExecuted(before + 400, Duration.ofMinutes(2));
      long[] latencies = Probe.drainLatencies();
      scheduler.stop();
      return new Result(
          "db-scheduler 16.7.1",
          scratch.label(),
          jobs,
          workers,
          single,
          batchRate,
          execute,
          Result.percentileMillis(latencies, 0.50),
          Result.percentileMillis(latencies, 0.99));
    }
  }
}
