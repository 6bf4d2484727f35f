package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.api.RunnerState;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.RunnerHistory;
import dev.mayfly.store.ScheduleState;
import dev.mayfly.store.connect.JobStores;
import dev.mayfly.store.postgres.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A deployment in miniature: three app nodes running `mayfly serve` on one PostgreSQL, each
 * launching local runner processes, with one cap on runners for all of them.
 */
@Tag("processes")
class ClusterTest {
  private static final int JOBS = 2000;
  private static final int MAX_RUNNERS = 4;

  @TempDir Path dir;
  private final String db = TestDatabase.freshSchemaUrl();
  private final List<Process> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : nodes) {
      p.destroy();
    }
    for (Process p : nodes) {
      p.waitFor(30, TimeUnit.SECONDS);
    }
    TestDatabase.dropSchema(db);
  }

  @Test
  void threeDispatchersShareOneCapAndEveryJobSucceedsExactlyOnce() throws Exception {
    // A job cap forces runners to turn over, so the cap is tested under churn.
    startNodes(
        "defaults.max-runners = "
            + MAX_RUNNERS
            + "\ndefaults.jobs-per-runner = 150\ndefaults.idle-exit = 500ms\n");
    enqueueInWaves(JOBS, 1);

    List<RunnerInfo> runners = awaitAllSucceededOnce(JOBS);
    assertThat(RunnerHistory.maxAliveAtOnce(runners)).isBetween(2, MAX_RUNNERS);
    // 2000 jobs at 150 per runner need at least 14 launches
    assertThat(runners.size()).isGreaterThanOrEqualTo(JOBS / 150);
  }

  @Test
  void threeNodesSizingOneQueueAtDefaultSettingsNeverExceedItsCap() throws Exception {
    // Every node sizes the fleet from the same backlog at the same time.
    int jobs = 240;
    startNodes("defaults.max-runners = 3\n");
    enqueueInWaves(jobs, 100);

    List<RunnerInfo> runners = awaitAllSucceededOnce(jobs);
    assertThat(RunnerHistory.maxAliveAtOnce(runners)).isBetween(1, 3);
  }

  @Test
  void threeNodesFireAScheduleOncePerTimeAndCatchUpTheLatestAfterAllStopped() throws Exception {
    String every2s =
        "schedule.often.cron = */2 * * * * *\nschedule.often.type = sleep\n"
            + "schedule.often.args = {\"millis\": 10}\nschedule.often.overlap = allow\n";
    startNodes(every2s);
    try (JobStore store = JobStores.open(db, 2)) {
      // 30 s of fire times with three nodes racing for each
      ScheduleState started =
          await().atMost(Duration.ofMinutes(1)).until(() -> often(store), s -> s != null);
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> often(store).lastFire(),
              last -> last != null && last.isAfter(started.since().plusSeconds(30)));
      stopNodes();
      Instant stoppedLast = often(store).lastFire();
      Instant stoppedAt = Instant.now();
      // every node down for 10 s: five fire times pass with no dispatcher
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> Instant.now().isAfter(stoppedAt.plusSeconds(10)));
      startNodes(every2s);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> often(store).lastFire(), last -> last.isAfter(stoppedLast.plusSeconds(20)));
      stopNodes();

      List<Instant> fired =
          store.reads().jobs(JobFilter.all().limit(10_000), Instant.now()).stream()
              .map(JobInfo::runAt) // a scheduled job's run-at is its fire time
              .sorted()
              .toList();
      assertThat(new java.util.HashSet<>(fired)).as("one job per fire time").hasSize(fired.size());
      Instant end = often(store).lastFire();
      // catch-up latest: of the times that passed while all were down, only the latest fired
      Instant caughtUp =
          fired.stream().filter(t -> t.isAfter(stoppedLast)).findFirst().orElseThrow();
      assertThat(Duration.between(stoppedLast, caughtUp))
          .isGreaterThanOrEqualTo(Duration.ofSeconds(10));
      List<Instant> expected = new ArrayList<>();
      for (Instant t = firstEvenSecondAfter(started.since());
          !t.isAfter(end);
          t = t.plusSeconds(2)) {
        if (!t.isAfter(stoppedLast) || !t.isBefore(caughtUp)) {
          expected.add(t);
        }
      }
      assertThat(fired).as("every fire time but those let go after the stop").isEqualTo(expected);
    }
  }

  private static @Nullable ScheduleState often(JobStore store) {
    return store.schedules().schedules().stream().findFirst().orElse(null);
  }

  private static Instant firstEvenSecondAfter(Instant t) {
    long s = t.getEpochSecond() + 1;
    return Instant.ofEpochSecond(s % 2 == 0 ? s : s + 1);
  }

  private void stopNodes() throws InterruptedException {
    for (Process p : nodes) {
      p.destroy();
    }
    for (Process p : nodes) {
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    nodes.clear();
  }

  private void startNodes(String properties) throws Exception {
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(config, properties);
    for (int i = 0; i < 3; i++) {
      nodes.add(
          CliProcess.of(
                  dir.resolve("node-" + i + ".log"),
                  "serve",
                  "--db",
                  db,
                  "--config",
                  config.toString(),
                  "--port",
                  "0") // every node serves its own dashboard
              .start());
    }
  }

  /** Four waves of sleep jobs, as traffic arrives. */
  private void enqueueInWaves(int jobs, long millis) {
    StringWriter err = new StringWriter();
    for (int wave = 0; wave < 4; wave++) {
      int code =
          Main.run(
              new PrintWriter(new StringWriter()),
              new PrintWriter(err, true),
              "enqueue",
              "sleep",
              "--args",
              "{\"millis\": " + millis + "}",
              "--count",
              Integer.toString(jobs / 4),
              "--db",
              db);
      assertThat(code).as(err.toString()).isZero();
    }
  }

  /** Waits for every job and runner to end; each job ran once and succeeded. */
  private List<RunnerInfo> awaitAllSucceededOnce(int jobs) throws Exception {
    List<RunnerInfo> runners;
    try (JobStore store = JobStores.open(db, 2)) {
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> store.reads().counts(Instant.now()).getFirst().succeeded() == jobs);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> store.reads().runners(RunnerFilter.all().alive(true), Instant.now()).isEmpty());

      runners = store.reads().runners(RunnerFilter.all().limit(10_000), Instant.now());
      assertThat(runners).allSatisfy(r -> assertThat(r.state()).isEqualTo(RunnerState.EXITED));
      assertThat(nodes).as("every node still serving").allMatch(Process::isAlive);
      assertThat(runners.stream().mapToInt(RunnerInfo::jobsRun).sum()).isEqualTo(jobs);
    }
    try (Connection c = DriverManager.getConnection(db);
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(*), count(DISTINCT job_id),"
                        + " count(*) FILTER (WHERE outcome = 'succeeded') FROM mayfly_attempts")) {
      rs.next();
      assertThat(rs.getLong(1)).as("attempts").isEqualTo(jobs);
      assertThat(rs.getLong(2)).as("jobs attempted").isEqualTo(jobs);
      assertThat(rs.getLong(3)).as("successes").isEqualTo(jobs);
    }
    return runners;
  }
}
