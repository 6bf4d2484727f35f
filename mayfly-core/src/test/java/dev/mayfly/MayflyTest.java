package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.api.InvalidJobException;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API end to end, with runners on virtual threads. */
class MayflyTest {
  @TempDir Path dir;

  private Mayfly mayfly(QueueConfig defaults) {
    return Mayfly.create(
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class, CoreTestJobs.Hours.class)
            .defaults(defaults)
            .tick(Duration.ofMillis(50))
            .build());
  }

  private static QueueConfig inProcess() {
    return QueueConfig.defaults("default")
        .launcher("inprocess")
        .idleExit(Duration.ofMillis(300))
        .maxRunners(3)
        .jobsPerRunner(7);
  }

  @Test
  void enqueuedJobsRunOnRunnersLaunchedOnDemand() {
    try (Mayfly m = mayfly(inProcess()).start()) {
      for (int i = 0; i < 50; i++) {
        m.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 1));
      }
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.admin().queues().getFirst().succeeded() == 50);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      var runners = m.admin().runners(RunnerFilter.all());
      assertThat(runners).allSatisfy(r -> assertThat(r.jobsRun()).isLessThanOrEqualTo(7));
      assertThat(runners.size()).isGreaterThanOrEqualTo(8); // 50 jobs, 7 per runner
    }
  }

  @Test
  void inProcessRunnersKeepTheConfiguredClock() {
    // Five years ahead and running: a runner on the system clock would find the job not due yet.
    Duration ahead = Duration.ofDays(5 * 365);
    java.time.InstantSource later = () -> java.time.Instant.now().plus(ahead);
    try (Mayfly m =
        Mayfly.create(
                MayflyConfig.builder()
                    .database(dir.resolve("m.db").toString())
                    .environment(Map.of())
                    .jobs(CoreTestJobs.Work.class)
                    .defaults(inProcess())
                    .tick(Duration.ofMillis(50))
                    .clock(later)
                    .build())
            .start()) {
      long id = m.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 1));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(m.admin().job(id).orElseThrow().startedAt())
          .isAfter(java.time.Instant.now().plus(ahead).minus(Duration.ofMinutes(1)));
    }
  }

  @Test
  void aDelayedJobWaitsScheduled() {
    try (Mayfly m = mayfly(inProcess())) {
      long id =
          m.enqueue(
              CoreTestJobs.Work.class,
              new CoreTestJobs.Work.Args(1, 1),
              EnqueueOptions.defaults().queue("later").delay(Duration.ofHours(1)));
      assertThat(m.admin().job(id).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
      assertThat(m.admin().job(id).orElseThrow().queue()).isEqualTo("later");
    }
  }

  @Test
  void badInputIsRefusedAndNothingIsWritten() {
    try (Mayfly m = mayfly(inProcess())) {
      assertThatThrownBy(() -> m.enqueue("nope", "{}", EnqueueOptions.defaults()))
          .isInstanceOf(InvalidJobException.class)
          .hasMessageContaining("unknown job type 'nope'");
      assertThatThrownBy(() -> m.enqueue("work", "{\"n\": 1", EnqueueOptions.defaults()))
          .hasMessageContaining("not valid JSON");
      assertThatThrownBy(
              () -> m.enqueue("work", "{\"n\": \"x\", \"millis\": 1}", EnqueueOptions.defaults()))
          .hasMessageContaining("'n'");
      assertThatThrownBy(
              () ->
                  m.enqueueMany("work", "{\"n\": 1, \"millis\": 1}", EnqueueOptions.defaults(), 0))
          .hasMessageContaining("count");
      assertThatThrownBy(() -> EnqueueOptions.defaults().delay(Duration.ofSeconds(-1)))
          .hasMessageContaining("must not be negative");
      assertThatThrownBy(() -> m.enqueue("hours", "{}", EnqueueOptions.defaults()))
          .hasMessageContaining("raise the queue's time-to-live");
      assertThat(m.admin().jobs(JobFilter.all())).isEmpty();
    }
  }

  /**
   * The timeout check at enqueue and the runner's claim follow one rule: the longest job a queue
   * accepts is one a freshly launched runner of that queue takes and runs.
   */
  @Test
  void theLongestJobAQueueAcceptsIsRunByItsRunners() {
    // "hours" has a 7,200 s timeout: 7,262 s of life leave 7,200 s after a 60 s start and the
    // 2 s exit margin.
    QueueConfig justEnough = inProcess().timeToLive(Duration.ofSeconds(7262));
    try (Mayfly m = mayfly(justEnough.timeToLive(Duration.ofSeconds(7261)))) {
      assertThatThrownBy(() -> m.enqueue("hours", "{}", EnqueueOptions.defaults()))
          .hasMessageContaining("leaves a job at most PT1H59M59S");
    }
    try (Mayfly m = mayfly(justEnough).start()) {
      assertThat(justEnough.longestJob()).isEqualTo(Duration.ofHours(2));
      long id = m.enqueue("hours", "{}", EnqueueOptions.defaults());
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> m.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
    }
  }

  @Test
  void manyIdenticalJobsAreEnqueuedTogether() {
    try (Mayfly m = mayfly(inProcess())) {
      var ids = m.enqueueMany("work", "{\"n\": 1, \"millis\": 1}", EnqueueOptions.defaults(), 100);
      assertThat(ids).hasSize(100).doesNotHaveDuplicates();
      assertThat(m.admin().queues().getFirst().queued()).isEqualTo(100);
    }
  }
}
