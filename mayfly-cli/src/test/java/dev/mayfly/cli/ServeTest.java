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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `mayfly serve` as its own process, fed by `mayfly enqueue` from another. */
@Tag("processes")
class ServeTest {
  @TempDir Path dir;

  private JsonNode json(String... args) throws Exception {
    StringWriter out = new StringWriter();
    int code =
        Main.run(new PrintWriter(out, true), new PrintWriter(new StringWriter(), true), args);
    assertThat(code).isZero();
    return Json.mapper().readTree(out.toString());
  }

  @Test
  void serveLaunchesRunnersForJobsEnqueuedFromElsewhereAndStopsOnSigterm() throws Exception {
    String db = dir.resolve("serve.db").toString();
    Path config = dir.resolve("mayfly.properties");
    Files.writeString(config, "defaults.idle-exit = 500ms\nqueue.slow.jobs-per-runner = 3\n");
    Process serve =
        CliProcess.of(
                dir.resolve("serve.log"),
                "serve",
                "--db",
                db,
                "--config",
                config.toString(),
                "--max-runners",
                "2")
            .start();
    try {
      json(
          "enqueue",
          "sleep",
          "--args",
          "{\"millis\": 50}",
          "--queue",
          "slow",
          "--count",
          "7",
          "--json",
          "--db",
          db);
      json("enqueue", "fail", "--args", "{\"message\": \"on purpose\"}", "--json", "--db", db);

      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () -> {
                JsonNode jobs = json("jobs", "--json", "--db", db);
                for (JsonNode j : jobs) {
                  if (!List.of("succeeded", "dead").contains(j.get("state").asText())) {
                    return false;
                  }
                }
                return jobs.size() == 8;
              });
      // the fail job type allows 3 attempts, 2 s apart and doubling
      assertThat(json("jobs", "--json", "--state", "dead", "--db", db))
          .singleElement()
          .satisfies(
              j -> {
                assertThat(j.get("error").asText()).contains("on purpose");
                assertThat(j.get("attempts").asInt()).isEqualTo(3);
              });
      JsonNode runners = json("runners", "--json", "--queue", "slow", "--db", db);
      assertThat(runners.size()).isGreaterThanOrEqualTo(3); // 7 jobs, 3 per runner
      assertThat(Files.readString(dir.resolve("serve.log"))).contains("dispatching");
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
