package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fault suite: a runner SIGKILLed mid-job while `mayfly demo --exit` runs. */
@Tag("faults")
class DemoKillTest {
  @TempDir Path dir;

  @Test
  void aRunnerKilledMidJobDelaysItsJobByLessThanTheLeasePlusALaunch() throws Exception {
    String db = dir.resolve("demo.db").toString();
    Path repo = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1).repo();
    Process demo =
        CliProcess.of(
                dir.resolve("demo.log"),
                "demo",
                "--exit",
                "--jobs",
                "15",
                "--max-runners",
                "2",
                "--jobs-per-runner",
                "15",
                "--db",
                db,
                "--repo",
                repo.toString())
            .start();
    try (JobStore store = JobStores.open(db, 2)) {
      boolean killed = false;
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (!killed && demo.isAlive() && System.nanoTime() < deadline) {
        for (JobInfo j :
            store.reads().jobs(JobFilter.all().state(JobState.RUNNING), Instant.now())) {
          var runner = store.reads().runner(j.runnerId(), Instant.now());
          if (runner.isPresent() && runner.get().platformId() != null) {
            killed =
                ProcessHandle.of(Long.parseLong(runner.get().platformId()))
                    .map(ProcessHandle::destroyForcibly)
                    .orElse(false);
            break;
          }
        }
        Thread.onSpinWait();
      }
      assertThat(killed).as("a runner was caught holding a job").isTrue();
      assertThat(demo.waitFor(3, TimeUnit.MINUTES)).isTrue();
      String log = Files.readString(dir.resolve("demo.log"));
      assertThat(demo.exitValue()).as(log).isZero();
      assertThat(log).contains("15 succeeded");

      List<JobInfo> all = store.reads().jobs(JobFilter.all().limit(100), Instant.now());
      int lostAttempts = 0;
      for (JobInfo j : all) {
        List<AttemptInfo> attempts = store.reads().attempts(j.id());
        for (int i = 0; i + 1 < attempts.size(); i++) {
          if (attempts.get(i).outcome().equals("lost")) {
            lostAttempts++;
            Duration delay =
                Duration.between(attempts.get(i).startedAt(), attempts.get(i + 1).startedAt());
            assertThat(delay)
                .as("job %d rerun after", j.id())
                .isLessThan(Duration.ofSeconds(30 + 10));
          }
        }
      }
      // The kill may land between two jobs; then nothing was lost, which is fine too.
      System.out.printf(
          "FAULTS demo-kill sqlite: 15 jobs, 1 runner SIGKILLed, %d attempt(s) lost and rerun, demo exit 0%n",
          lostAttempts);
    }
  }
}
