package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.store.postgres.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Jobs that end their runner's process, by {@code System.exit} or by outlasting a SIGTERM's grace:
 * every attempt counts, so such a job ends dead after its attempts, never given back forever.
 */
@Tag("faults")
class JobEndsItsProcessTest {
  @org.junit.jupiter.api.io.TempDir Path dir;
  private String db;

  @AfterEach
  void drop() {
    if (db != null && db.startsWith("jdbc:postgresql")) {
      TestDatabase.dropSchema(db);
    }
  }

  private Mayfly mayfly(String store) {
    db = store.equals("sqlite") ? dir.resolve("m.db").toString() : TestDatabase.freshSchemaUrl();
    return Mayfly.create(
            MayflyConfig.builder()
                .database(db)
                .environment(Map.of())
                .jobs(CoreTestJobs.Exits.class, CoreTestJobs.Stubborn.class)
                .heartbeatInterval(Duration.ofSeconds(1)) // runners watch for exits from then on
                .defaults(
                    QueueConfig.defaults("default")
                        .launcher("local")
                        .maxRunners(1)
                        .idleExit(Duration.ofMillis(500)))
                .build())
        .start();
  }

  @ParameterizedTest
  @CsvSource({"sqlite, 3", "postgres, 3", "sqlite, 0"})
  void aJobThatExitsTheJvmUsesItsAttemptsAndEndsDeadSayingSo(String store, int status) {
    try (Mayfly mayfly = mayfly(store)) {
      long id = mayfly.enqueue(CoreTestJobs.Exits.class, new CoreTestJobs.Exits.Args(status));

      JobInfo dead =
          await()
              .atMost(Duration.ofMinutes(2))
              .until(() -> mayfly.admin().job(id).orElseThrow(), JobEndsItsProcessTest::ended);
      assertThat(dead.state()).isEqualTo(JobState.DEAD);
      assertThat(dead.attempts()).isEqualTo(2);
      assertThat(mayfly.admin().jobDetail(id).orElseThrow().attempts())
          .hasSize(2)
          .allSatisfy(
              a -> {
                assertThat(a.outcome()).isEqualTo("failed");
                assertThat(a.error())
                    .startsWith(
                        "the job exited the runner with status " + status + " (System.exit)");
              });
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      assertThat(mayfly.admin().runners(RunnerFilter.all()))
          .hasSize(2)
          .allSatisfy(r -> assertThat(r.exitCode()).isEqualTo(status));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void aJobStoppedBySigtermEveryTimeEndsDeadAfterItsAttempts(String store) {
    try (Mayfly mayfly = mayfly(store)) {
      long id = mayfly.enqueue(CoreTestJobs.Stubborn.class, new CoreTestJobs.Stubborn.Args());
      Set<String> stopped = ConcurrentHashMap.newKeySet();

      JobInfo end =
          await()
              .atMost(Duration.ofMinutes(2))
              .pollInterval(Duration.ofMillis(200))
              .until(
                  () -> {
                    // each runner that holds the job gets a platform's SIGTERM, once
                    for (RunnerInfo r : mayfly.admin().runners(RunnerFilter.all().alive(true))) {
                      if (r.platformId() != null
                          && mayfly.admin().job(id).orElseThrow().state() == JobState.RUNNING
                          && id == runningJobOf(mayfly, r)
                          && stopped.add(r.id())) {
                        ProcessHandle.of(Long.parseLong(r.platformId()))
                            .ifPresent(ProcessHandle::destroy);
                      }
                    }
                    return mayfly.admin().job(id).orElseThrow();
                  },
                  JobEndsItsProcessTest::ended);

      assertThat(end.state()).isEqualTo(JobState.DEAD);
      assertThat(stopped).hasSize(2);
      assertThat(mayfly.admin().jobDetail(id).orElseThrow().attempts())
          .extracting(AttemptInfo::outcome)
          .containsExactly("retry", "failed");
      assertThat(end.error()).contains("the runner was stopped (SIGTERM)");
    }
  }

  private static boolean ended(JobInfo j) {
    return j.state() == JobState.SUCCEEDED
        || j.state() == JobState.DEAD
        || j.state() == JobState.CANCELLED;
  }

  private static long runningJobOf(Mayfly mayfly, RunnerInfo r) {
    return mayfly.admin().jobs(dev.mayfly.api.JobFilter.all().state(JobState.RUNNING)).stream()
        .filter(j -> r.id().equals(j.runnerId()))
        .mapToLong(JobInfo::id)
        .findFirst()
        .orElse(-1);
  }
}
