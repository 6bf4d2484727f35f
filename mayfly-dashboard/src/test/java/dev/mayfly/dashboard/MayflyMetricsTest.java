package dev.mayfly.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.Schedule;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerState;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerHandle;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MayflyMetricsTest {
  @TempDir Path dir;

  /** A platform that turns every launch down, as one out of capacity or credit would. */
  static final class RefusingLauncher implements Launcher {
    @Override
    public String name() {
      return "refusing";
    }

    @Override
    public RunnerHandle launch(LaunchRequest request) throws LaunchException {
      throw new LaunchException("refusing: no dynos left for runner " + request.runnerId(), null);
    }

    @Override
    public void stop(String platformId) {}

    @Override
    public java.util.Optional<dev.mayfly.launch.RunnerExit> exited(String platformId) {
      throw new UnsupportedOperationException("nothing was ever launched");
    }
  }

  /** Nap jobs, run by in-process runners that leave soon after their queue is empty. */
  private MayflyConfig.Builder napsInProcess(String db) {
    return MayflyConfig.builder()
        .database(dir.resolve(db).toString())
        .environment(Map.of())
        .jobs(TestJobs.Nap.class)
        .defaults(
            QueueConfig.defaults("default").launcher("inprocess").idleExit(Duration.ofMillis(200)));
  }

  @Test
  void launchesLatencyJobsRunnersAndBilledSecondsAreMetered() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MayflyConfig config =
        napsInProcess("m.db")
            .launcher(new RefusingLauncher())
            .queue(QueueConfig.defaults("doomed").launcher("refusing"))
            .build();
    try (Mayfly mayfly = Mayfly.create(config)) {
      MayflyMetrics metrics = MayflyMetrics.bind(mayfly, registry);
      mayfly.start();
      for (int i = 0; i < 3; i++) {
        mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(20, "n" + i));
      }
      mayfly.enqueue(
          TestJobs.Nap.class,
          new TestJobs.Nap.Args(1, "never runs"),
          dev.mayfly.api.EnqueueOptions.defaults().queue("doomed"));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly.admin().queues().stream()
                          .filter(q -> q.queue().equals("default"))
                          .findFirst()
                          .orElseThrow()
                          .succeeded()
                      == 3);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly.admin().runners(RunnerFilter.all().queue("doomed")).stream()
                      .anyMatch(r -> r.state() == RunnerState.FAILED));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  mayfly
                      .admin()
                      .runners(RunnerFilter.all().queue("default").alive(true))
                      .isEmpty());
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () -> {
                metrics.refresh();
                String scrape = registry.scrape();
                assertThat(scrape)
                    .contains("mayfly_jobs{queue=\"default\",state=\"succeeded\"} 3.0")
                    .contains("mayfly_jobs{queue=\"doomed\",state=\"queued\"} 1.0")
                    .contains("mayfly_runners_alive{queue=\"default\"} 0.0")
                    .contains("mayfly_launches_total{launcher=\"inprocess\",queue=\"default\"}")
                    .contains(
                        "mayfly_launch_failures_total{launcher=\"refusing\",queue=\"doomed\","
                            + "reason=\"error\"}")
                    .contains("mayfly_launch_latency_seconds_count{launcher=\"inprocess\"");
                assertThat(registry.get("mayfly.runners.billed").functionCounter().count())
                    .isPositive();
              });
      assertThat(mayfly.admin().job(1).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
  }

  /**
   * A schedule firing every second whose job naps 1.5 s: the dispatcher fires some times and skips
   * others (overlap skip), and both show as meters, with how late each fire was.
   */
  @Test
  void scheduleFiresSkipsAndLatenessAreMetered() {
    var registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    MayflyConfig config =
        napsInProcess("s.db")
            .schedule(
                Schedule.of(
                    "every-second", "* * * * * *", "nap", "{\"millis\": 1500, \"note\": \"\"}"))
            .build();
    try (Mayfly mayfly = Mayfly.create(config)) {
      MayflyMetrics.bind(mayfly, registry);
      mayfly.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  count(registry, "mayfly.schedule.fires") >= 2
                      && count(registry, "mayfly.schedule.skips") >= 1);
      assertThat(registry.get("mayfly.schedule.skips").tag("reason", "overlap").counter().count())
          .isPositive();
      assertThat(
              registry
                  .get("mayfly.schedule.lateness")
                  .tag("schedule", "every-second")
                  .timer()
                  .count())
          .isPositive();
      assertThat(registry.scrape())
          .contains("mayfly_schedule_fires_total{schedule=\"every-second\"}")
          .contains("mayfly_schedule_lateness_seconds_count{schedule=\"every-second\"}");
    }
  }

  private static double count(PrometheusMeterRegistry registry, String name) {
    var meters = registry.find(name).tag("schedule", "every-second").counters();
    return meters.stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }
}
