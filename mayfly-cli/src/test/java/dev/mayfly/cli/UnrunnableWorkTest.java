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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work no runner may take launches nothing: a schedule that could only fire such jobs is refused
 * when the configuration is read, and jobs that stopped fitting (a time-to-live lowered while they
 * waited) say why instead of bringing a storm of runners.
 */
@Tag("processes")
class UnrunnableWorkTest {
  @TempDir Path dir;

  private record Run(int code, String out, String err) {}

  private static Run mayfly(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void aScheduleWhoseJobsNoRunnerMayTakeIsRefusedWhenTheConfigurationIsRead() throws Exception {
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(
        config,
        """
        defaults.time-to-live = 2m
        schedule.nightly.cron = 0 3 * * *
        schedule.nightly.type = sleep
        schedule.nightly.args = {"millis": 1}
        """);
    String db = dir.resolve("m.db").toString();

    for (String[] command :
        new String[][] {
          {"serve", "--db", db, "--config", config.toString(), "--port", "0"},
          {"tick", "--db", db, "--config", config.toString()}
        }) {
      Run r = mayfly(command);
      assertThat(r.err()).as(command[0]).doesNotContain("Unknown option");
      assertThat(r.code()).as(command[0]).isEqualTo(2);
      assertThat(r.err())
          .as(command[0])
          .contains("schedule 'nightly' would fire jobs no runner may take")
          .contains("job type 'sleep' may run for PT5M")
          .contains("live PT2M")
          .contains("raise the queue's time-to-live");
    }
  }

  @Test
  void jobsLeftUnfitByALoweredTimeToLiveLaunchNoRunnerAndTheQueueSaysWhy() throws Exception {
    String db = dir.resolve("m.db").toString();
    // enqueued while runners lived 10 minutes, the default
    assertThat(mayfly("enqueue", "sleep", "--args", "{\"millis\": 1}", "--db", db).code()).isZero();
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(config, "defaults.time-to-live = 2m\n");
    Path log = dir.resolve("serve.log");
    Process serve =
        CliProcess.of(log, "serve", "--db", db, "--config", config.toString(), "--port", "0")
            .start();
    try {
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> Files.readString(log).contains("no runner is launched for them"));
      Run queues = mayfly("queues", "--db", db, "--config", config.toString());
      assertThat(queues.out())
          .contains("queue default: 1 ready job(s) cannot run: its timeout is longer than");
      JsonNode job = Json.mapper().readTree(mayfly("jobs", "--json", "--db", db).out()).get(0);
      assertThat(job.get("state").asText()).isEqualTo("queued");
      assertThat(job.get("error").asText()).startsWith("cannot run:");
      assertThat(mayfly("runners", "--json", "--db", db).out().strip()).isEqualTo("[]");
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(Files.readString(log).split("no runner is launched for them", -1)).hasSize(2);
  }
}
