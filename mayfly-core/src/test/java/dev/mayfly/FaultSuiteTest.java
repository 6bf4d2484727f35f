package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.store.RunnerHistory;
import dev.mayfly.store.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Faults injected into real runner processes; every job must still end in a recorded state. The
 * figures each test prints are those in docs/reliability.md.
 */
@Tag("faults")
class FaultSuiteTest {
  @TempDir Path dir;
  private String db;

  @AfterEach
  void drop() {
    if (db != null && db.startsWith("jdbc:postgresql")) {
      TestDatabase.dropSchema(db);
    }
  }

  private Mayfly mayfly(String store, int maxRunners, int jobsPerRunner) {
    db =
        store.equals("sqlite")
            ? dir.resolve("faults.db").toString()
            : TestDatabase.freshSchemaUrl();
    return Mayfly.create(
            MayflyConfig.builder()
                .database(db)
                .environment(Map.of())
                .jobs(CoreTestJobs.Work.class, CoreTestJobs.Poison.class)
                .leaseTimeout(Duration.ofSeconds(3))
                .heartbeatInterval(Duration.ofSeconds(1))
                .defaults(
                    QueueConfig.defaults("default")
                        .launcher("local")
                        .maxRunners(maxRunners)
                        .jobsPerRunner(jobsPerRunner)
                        .idleExit(Duration.ofMillis(500)))
                .build())
        .start();
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void runnersKilledWithSigkillAtRandomLoseNoJob(String store) throws Exception {
    int jobs = 500;
    try (Mayfly mayfly = mayfly(store, 4, 40)) {
      List<Long> ids = new ArrayList<>();
      for (int i = 0; i < jobs; i++) {
        ids.add(mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 20)));
      }
      Instant started = Instant.now();
      AtomicBoolean done = new AtomicBoolean();
      AtomicInteger kills = new AtomicInteger();
      Thread killer =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (!done.get() && kills.get() < 12) {
                      Pacing.sleep(400 + ThreadLocalRandom.current().nextInt(600));
                      List<RunnerInfo> alive =
                          mayfly.admin().runners(RunnerFilter.all().alive(true)).stream()
                              .filter(r -> r.platformId() != null && r.startedAt() != null)
                              .toList();
                      if (alive.isEmpty()) {
                        continue;
                      }
                      RunnerInfo victim =
                          alive.get(ThreadLocalRandom.current().nextInt(alive.size()));
                      ProcessHandle.of(Long.parseLong(victim.platformId()))
                          .ifPresent(
                              h -> {
                                if (h.destroyForcibly()) { // SIGKILL
                                  kills.incrementAndGet();
                                }
                              });
                    }
                  });
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == jobs);
      Duration took = Duration.between(started, Instant.now());
      done.set(true);
      killer.join();

      int lost = 0;
      int duplicates = 0;
      for (long id : ids) {
        List<AttemptInfo> attempts = mayfly.admin().jobDetail(id).orElseThrow().attempts();
        long succeeded = attempts.stream().filter(a -> a.outcome().equals("succeeded")).count();
        duplicates += succeeded > 1 ? 1 : 0;
        lost += (int) attempts.stream().filter(a -> a.outcome().equals("lost")).count();
        assertThat(attempts.getLast().outcome()).isEqualTo("succeeded");
      }
      assertThat(mayfly.admin().jobs(JobFilter.all().state(JobState.SUCCEEDED).limit(1000)))
          .hasSize(jobs);
      assertThat(kills.get()).as("runners killed").isPositive();
      assertThat(lost).as("killed attempts recorded").isPositive();
      assertThat(duplicates).as("jobs that succeeded twice").isZero();
      assertThat(
              RunnerHistory.maxAliveAtOnce(
                  mayfly.admin().runners(RunnerFilter.all().limit(10_000))))
          .isLessThanOrEqualTo(4);
      System.out.printf(
          "FAULTS sigkill %s: %d jobs, %d runners killed, %d attempts lost and rerun, %d lost jobs,"
              + " %d duplicated successes, all done in %.1f s%n",
          store, jobs, kills.get(), lost, 0, duplicates, took.toMillis() / 1000.0);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aPoisonJobEndsDeadWhileTheOthersSucceed(String store) {
    try (Mayfly mayfly = mayfly(store, 4, 50)) {
      long poison = mayfly.enqueue(CoreTestJobs.Poison.class, new CoreTestJobs.Poison.Args());
      for (int i = 0; i < 200; i++) {
        mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 1));
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .until(
              () -> {
                var q = mayfly.admin().queues().getFirst();
                return q.succeeded() == 200 && q.dead() == 1;
              });
      var detail = mayfly.admin().jobDetail(poison).orElseThrow();
      assertThat(detail.job().state()).isEqualTo(JobState.DEAD);
      assertThat(detail.attempts())
          .extracting(AttemptInfo::error)
          .allSatisfy(e -> assertThat(e).contains("poison, attempt"))
          .hasSize(3);
      System.out.printf(
          "FAULTS poison %s: 1 poison job dead after %d attempts, 200 of 200 others succeeded%n",
          store, detail.attempts().size());
    }
  }

  /** A pause between kills: this test's pacing, not a synchronisation. */
  private static final class Pacing {
    static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
