package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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

  private static String get(HttpClient http, String url) throws Exception {
    var r =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    return r.body();
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
                "2",
                "--port",
                "0")
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

      // The dashboard it serves: the same jobs, a retry through the API, the launches counted.
      Matcher m =
          Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/)")
              .matcher(Files.readString(dir.resolve("serve.log")));
      assertThat(m.find()).isTrue();
      URI url = URI.create(m.group(1));
      HttpClient http = HttpClient.newHttpClient();
      String page = get(http, url.toString());
      Matcher csrf = Pattern.compile("mayfly-csrf\" content=\"([0-9a-f]+)\"").matcher(page);
      assertThat(csrf.find()).isTrue();
      JsonNode dead = Json.mapper().readTree(get(http, url + "api/jobs?state=dead"));
      long id = dead.get(0).get("id").asLong();
      var retried =
          http.send(
              HttpRequest.newBuilder(url.resolve("api/jobs/" + id + "/retry"))
                  .header("X-CSRF-Token", csrf.group(1))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(retried.statusCode()).isEqualTo(200);
      assertThat(Json.mapper().readTree(retried.body()).get("state").asText()).isEqualTo("queued");
      assertThat(get(http, url + "metrics"))
          .contains("mayfly_launches_total{launcher=\"local\",queue=\"slow\"}")
          .contains("mayfly_launch_latency_seconds");
    } finally {
      serve.destroy();
      assertThat(serve.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
