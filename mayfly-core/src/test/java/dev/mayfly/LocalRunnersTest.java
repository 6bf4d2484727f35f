package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.store.RunnerHistory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Jobs in real one-off JVMs, judged only from what the store recorded. */
@Tag("processes")
class LocalRunnersTest {
  @TempDir Path dir;

  @Test
  void twoHundredJobsSucceedExactlyOnceWithNeverMoreThanFourRunnersAlive() {
    int jobs = 200;
    int maxRunners = 4;
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("local")
                    .maxRunners(maxRunners)
                    .jobsPerRunner(15)
                    .idleExit(Duration.ofMillis(500)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        ids.add(mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 5)));
      }
      await()
          .atMost(Duration.ofMinutes(4))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == jobs);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());

      Admin admin = mayfly.admin();
      for (long id : ids) {
        List<AttemptInfo> attempts = admin.jobDetail(id).orElseThrow().attempts();
        assertThat(attempts)
            .as("attempts of job %d", id)
            .singleElement()
            .satisfies(a -> assertThat(a.outcome()).isEqualTo("succeeded"));
      }
      assertThat(admin.jobs(JobFilter.all().state(JobState.SUCCEEDED).limit(1000))).hasSize(jobs);
      // what a job printed is filed under it, next to its own log lines
      assertThat(admin.jobDetail(ids.get(7)).orElseThrow().log())
          .extracting(l -> l.message())
          .contains("printed by job 7")
          .anyMatch(m -> m.startsWith("work 7 in pid"));

      List<RunnerInfo> runners = admin.runners(RunnerFilter.all().limit(1000));
      String self = Long.toString(ProcessHandle.current().pid());
      assertThat(runners)
          .allSatisfy(
              r -> {
                assertThat(r.state()).isEqualTo(RunnerState.EXITED);
                assertThat(r.exitCode()).isZero();
                assertThat(r.platformId()).isNotEqualTo(self);
              });
      assertThat(runners.stream().mapToInt(RunnerInfo::jobsRun).sum()).isEqualTo(jobs);
      assertThat(RunnerHistory.maxAliveAtOnce(runners)).isBetween(2, maxRunners);
    }
  }

  @Test
  void aRunnerThatDiesBeforeReportingInFailsWithWhatItPrintedAndItsJobWaits() {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("typo.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .leaseTimeout(Duration.ofMinutes(10)) // the lease cannot be what notices
            .launcher(
                new dev.mayfly.launch.local.LocalLauncher(
                    dev.mayfly.launch.local.LocalOptions.defaults()
                        .withMainClass("dev.mayfly.runner.RunerMain"), // a typo
                    java.time.InstantSource.system()))
            .defaults(QueueConfig.defaults("default").launcher("local").maxRunners(1))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
      RunnerInfo failed =
          await()
              .atMost(Duration.ofMinutes(1))
              .until(
                  () ->
                      mayfly.admin().runners(RunnerFilter.all()).stream()
                          .filter(r -> r.state() == RunnerState.FAILED)
                          .findFirst(),
                  java.util.Optional::isPresent)
              .orElseThrow();
      assertThat(failed.error())
          .contains("ended before it reported in (exit code 1)")
          .contains("mayfly runners --output " + failed.id());
      assertThat(failed.exitCode()).isEqualTo(1);
      assertThat(mayfly.admin().runnerOutput(failed.id()))
          .anySatisfy(l -> assertThat(l.message()).contains("RunerMain"));
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);
      assertThat(mayfly.admin().job(id).orElseThrow().attempts()).isZero();
    }
  }

  @Test
  void aFrozenRunnerIsDeclaredLostStoppedAndItsJobRunsElsewhere() throws Exception {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("frozen.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .leaseTimeout(Duration.ofSeconds(3))
            .heartbeatInterval(Duration.ofSeconds(1))
            .launcher(
                new dev.mayfly.launch.local.LocalLauncher(
                    dev.mayfly.launch.local.LocalOptions.defaults()
                        .withStopGrace(Duration.ofSeconds(1)),
                    java.time.InstantSource.system()))
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("local")
                    .maxRunners(1)
                    .jobsPerRunner(1)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 2_000));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.RUNNING);
      RunnerInfo first = mayfly.admin().runners(RunnerFilter.all()).getFirst();
      long pid = Long.parseLong(first.platformId());
      // freeze it: alive, but silent
      assertThat(new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start().waitFor())
          .isZero();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> mayfly.admin().runner(first.id()).orElseThrow().state() == RunnerState.LOST);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(mayfly.admin().jobDetail(id).orElseThrow().attempts())
          .extracting(a -> a.outcome())
          .containsExactly("lost", "succeeded");
    }
  }

  @Test
  void aRunnerStoppedWithSigtermGivesItsUnfinishedJobBackBeforeExiting() throws Exception {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("sigterm.db").toString())
            .environment(Map.of())
            .jobs(CoreTestJobs.Work.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("local")
                    .maxRunners(1)
                    .jobsPerRunner(1)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start()) {
      long id = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 50_000));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(id).orElseThrow().state() == JobState.RUNNING);
      RunnerInfo first = mayfly.admin().runners(RunnerFilter.all()).getFirst();
      assertThat(new ProcessBuilder("kill", "-TERM", first.platformId()).start().waitFor())
          .isZero();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> mayfly.admin().runner(first.id()).orElseThrow().exitCode() != null);
      var attempt = mayfly.admin().jobDetail(id).orElseThrow().attempts().getFirst();
      assertThat(attempt.outcome()).isEqualTo("retry");
      assertThat(attempt.error()).contains("SIGTERM");
      assertThat(mayfly.admin().runner(first.id()).orElseThrow().state())
          .as("it exited on its own, not lost")
          .isEqualTo(RunnerState.EXITED);
    }
  }
}
