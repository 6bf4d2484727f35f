package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.RunnerFilter;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.RunnerHistory;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Fault suite, item 2: dispatcher processes SIGKILLed and restarted during a burst. */
@Tag("faults")
class DispatcherFaultTest {
  private static final int JOBS = 600;
  private static final int MAX_RUNNERS = 3;

  @TempDir Path dir;
  private String db;
  private final List<Process> nodes = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Process p : nodes) {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    if (db.startsWith("jdbc:postgresql")) {
      TestDatabase.dropSchema(db);
    }
  }

  private Process serve(Path config, int n) throws Exception {
    Process p =
        CliProcess.of(
                dir.resolve("node-" + n + ".log"),
                "serve",
                "--db",
                db,
                "--config",
                config.toString(),
                "--port",
                "0") // every node serves its own dashboard
            .start();
    nodes.add(p);
    return p;
  }

  @ParameterizedTest
  @ValueSource(strings = {"sqlite", "postgres"})
  void killingAndRestartingDispatchersMidBurstLosesNothingAndKeepsTheCap(String kind)
      throws Exception {
    db =
        kind.equals("sqlite")
            ? "jdbc:sqlite:" + dir.resolve("dispatchers.db")
            : TestDatabase.freshSchemaUrl();
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(
        config,
        "defaults.max-runners = "
            + MAX_RUNNERS
            + "\ndefaults.jobs-per-runner = 40\ndefaults.idle-exit = 500ms\n"
            + "lease-timeout = 4s\nheartbeat-interval = 1s\n"
            // a dispatcher killed between reserving a runner's row and starting its process leaves
            // the row 'launching' until the launch timeout (5 min by default) gives it up
            + "launch-timeout = 10s\n");
    Process a = serve(config, 1);
    serve(config, 2);
    int code =
        Main.run(
            new PrintWriter(new StringWriter()),
            new PrintWriter(new StringWriter(), true),
            "enqueue",
            "sleep",
            "--args",
            "{\"millis\": 20}",
            "--count",
            Integer.toString(JOBS),
            "--db",
            db);
    assertThat(code).isZero();
    Instant started = Instant.now();

    try (JobStore store = JobStores.open(db, 2)) {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> store.reads().counts(Instant.now()).getFirst().succeeded() >= JOBS / 5);
      a.destroyForcibly().waitFor(); // SIGKILL one dispatcher mid-burst
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> store.reads().counts(Instant.now()).getFirst().succeeded() >= JOBS / 2);
      assertThat(nodes.get(1).isAlive()).as("the other node still serving").isTrue();
      serve(config, 3); // and bring a node back
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> store.reads().counts(Instant.now()).getFirst().succeeded() == JOBS);
      Duration took = Duration.between(started, Instant.now());
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () -> store.reads().runners(RunnerFilter.all().alive(true), Instant.now()).isEmpty());
      var runners = store.reads().runners(RunnerFilter.all().limit(10_000), Instant.now());
      if (RunnerHistory.maxAliveAtOnce(runners) > MAX_RUNNERS) {
        runners.stream()
            .sorted(java.util.Comparator.comparing(dev.mayfly.api.RunnerInfo::launchedAt))
            .forEach(
                r ->
                    System.out.println(
                        "RUNNER "
                            + r.id()
                            + " "
                            + r.state()
                            + " "
                            + r.launchedAt()
                            + " "
                            + r.startedAt()
                            + " "
                            + r.exitedAt()
                            + " "
                            + r.jobsRun()
                            + " "
                            + r.error()));
      }
      assertThat(RunnerHistory.maxAliveAtOnce(runners)).isLessThanOrEqualTo(MAX_RUNNERS);
      try (Connection c = DriverManager.getConnection(db);
          ResultSet rs =
              c.createStatement()
                  .executeQuery(
                      "SELECT count(DISTINCT job_id), count(*) FILTER (WHERE outcome ="
                          + " 'succeeded'), count(*) FILTER (WHERE outcome = 'lost')"
                          + " FROM mayfly_attempts")) {
        rs.next();
        assertThat(rs.getLong(1)).isEqualTo(JOBS);
        assertThat(rs.getLong(2)).as("each job succeeded exactly once").isEqualTo(JOBS);
        System.out.printf(
            "FAULTS dispatcher %s: %d jobs, 1 of 2 dispatchers SIGKILLed mid-burst and one"
                + " restarted, %d runners, %d attempts lost, 0 lost jobs, 0 duplicated successes,"
                + " max %d runners alive, all done in %.1f s%n",
            kind,
            JOBS,
            runners.size(),
            rs.getLong(3),
            RunnerHistory.maxAliveAtOnce(runners),
            took.toMillis() / 1000.0);
      }
    }
  }
}
