package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mayfly schedules, schedule run|pause|resume: what a schedule's owner does by hand. */
class SchedulesCommandTest {
  @TempDir Path dir;

  private record Result(int code, String out, String err) {}

  private Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void schedulesAreListedRunByHandPausedAndResumed() throws Exception {
    String db = dir.resolve("s.db").toString();
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(
        config,
        """
        schedule.nightly.cron = 30 2 * * *
        schedule.nightly.type = sleep
        schedule.nightly.zone = Europe/Berlin
        schedule.nightly.args = {"millis": 10}
        """);
    // a node with the file stores its schedules; the CLI without it only reads them
    assertThat(cli("tick", "--db", db, "--config", config.toString()).code()).isZero();

    JsonNode listed = Json.mapper().readTree(cli("schedules", "--json", "--db", db).out());
    assertThat(listed).hasSize(1);
    JsonNode nightly = listed.get(0);
    assertThat(nightly.get("name").asText()).isEqualTo("nightly");
    assertThat(nightly.get("zone").asText()).isEqualTo("Europe/Berlin");
    assertThat(nightly.get("nextFire").asText()).matches(".*T0[01]:30:00Z"); // 02:30 CET or CEST
    assertThat(cli("schedules", "--db", db).out()).contains("nightly").contains("30 2 * * *");

    Result run = cli("schedule", "run", "nightly", "--db", db);
    assertThat(run.out()).contains("schedule nightly: enqueued job 1");
    assertThat(cli("schedule", "pause", "nightly", "--db", db).out()).contains("paused");
    nightly = Json.mapper().readTree(cli("schedules", "--json", "--db", db).out()).get(0);
    assertThat(nightly.get("paused").asBoolean()).isTrue();
    assertThat(nightly.get("lastJobId").asLong()).isEqualTo(1);
    assertThat(nightly.get("lastJobState").asText()).isEqualTo("queued");
    assertThat(cli("schedule", "resume", "nightly", "--db", db).out()).contains("fires again");

    Result unknown = cli("schedule", "pause", "nigthly", "--db", db);
    assertThat(unknown.code()).isEqualTo(Main.USAGE);
    assertThat(unknown.err()).contains("no schedule 'nigthly'; stored schedules: nightly");
  }
}
