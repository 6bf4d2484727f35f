package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing always on: no {@code serve}, only {@code mayfly tick} processes, as Heroku Scheduler or a
 * Kubernetes CronJob would run them. Two ticks fire a due schedule and a due delayed job, and the
 * runners they launch run both after the ticks have exited.
 */
@Tag("processes")
class TickTest {
  @TempDir Path dir;

  @Test
  void tickAloneFiresADueScheduleAndADueDelayedJobAndItsRunnersRunThem() throws Exception {
    String db = dir.resolve("store.db").toString();
    Files.writeString(
        dir.resolve("mayfly.properties"),
        """
        schedule.often.cron = */2 * * * * *
        schedule.often.type = sleep
        schedule.often.args = {"millis": 10}
        """);
    // The first tick stores the schedule, which is due from then on; nothing is due yet.
    assertThat(tick(db)).contains("0 scheduled job(s) enqueued, 0 runner(s) launched");
    assertThat(cli("enqueue", "sleep", "--in", "1s", "--args", "{\"millis\": 10}", "--db", db))
        .contains("enqueued job 1");
    Instant due = Instant.now().plusSeconds(2); // a fire time and the delayed job's time passed
    await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(due));

    assertThat(tick(db)).contains("1 scheduled job(s) enqueued").doesNotContain(" 0 runner(s)");

    await()
        .atMost(Duration.ofMinutes(1))
        .untilAsserted(
            () -> {
              JsonNode jobs = Json.mapper().readTree(cli("jobs", "--json", "--db", db));
              assertThat(jobs).hasSize(2);
              assertThat(jobs)
                  .allSatisfy(j -> assertThat(j.get("state").asText()).isEqualTo("succeeded"));
            });
  }

  /** {@code mayfly tick} as a process of its own in the test's folder; its output. */
  private String tick(String db) throws Exception {
    Path log = Files.createTempFile(dir, "tick", ".log");
    Process p = CliProcess.of(log, "tick", "--db", db).directory(dir.toFile()).start();
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    String out = Files.readString(log);
    assertThat(p.exitValue()).as(out).isZero();
    return out;
  }

  private String cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(code).as(err.toString()).isZero();
    return out.toString();
  }
}
