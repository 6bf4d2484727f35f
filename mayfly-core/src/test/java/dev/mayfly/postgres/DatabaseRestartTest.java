package dev.mayfly.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.CoreTestJobs;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.api.AttemptInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Fault suite, item 3: PostgreSQL stopped (as by a crash) and started again mid-run. */
@Tag("faults")
class DatabaseRestartTest {

  @Test
  void runnersAndTheDispatcherRideOutADatabaseRestartAndNoJobIsLost() throws Exception {
    int jobs = 300;
    try (PrivatePostgres pg = PrivatePostgres.create()) {
      MayflyConfig config =
          MayflyConfig.builder()
              .database(pg.url())
              .environment(Map.of())
              .jobs(CoreTestJobs.Work.class)
              .leaseTimeout(Duration.ofSeconds(4))
              .heartbeatInterval(Duration.ofSeconds(1))
              .defaults(
                  QueueConfig.defaults("default")
                      .launcher("local")
                      .maxRunners(3)
                      .jobsPerRunner(60)
                      .idleExit(Duration.ofSeconds(3)))
              .build();
      try (Mayfly mayfly = Mayfly.create(config).start()) {
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
          ids.add(mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 20)));
        }
        Instant started = Instant.now();
        await()
            .atMost(Duration.ofMinutes(2))
            .until(() -> mayfly.admin().queues().getFirst().succeeded() >= jobs / 5);
        pg.crash();
        Instant down = Instant.now();
        Thread.sleep(3_000); // the outage: a fixed length is the point here
        pg.start();
        Duration outage = Duration.between(down, Instant.now());

        await()
            .atMost(Duration.ofMinutes(4))
            .pollInterval(Duration.ofMillis(500))
            .ignoreExceptions()
            .until(() -> mayfly.admin().queues().getFirst().succeeded() == jobs);
        Duration took = Duration.between(started, Instant.now());

        int lost = 0;
        for (long id : ids) {
          List<AttemptInfo> attempts = mayfly.admin().jobDetail(id).orElseThrow().attempts();
          assertThat(attempts.stream().filter(a -> a.outcome().equals("succeeded")).count())
              .as("successes of job %d", id)
              .isEqualTo(1);
          lost += (int) attempts.stream().filter(a -> a.outcome().equals("lost")).count();
        }
        System.out.printf(
            "FAULTS db-restart postgres: %d jobs, database down %.1f s mid-run, %d attempts lost"
                + " and rerun, 0 lost jobs, 0 duplicated successes, all done in %.1f s%n",
            jobs, outage.toMillis() / 1000.0, lost, took.toMillis() / 1000.0);
      }
    }
  }
}
