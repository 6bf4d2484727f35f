package dev.mayfly.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.cli.demo.DemoRepository;
import dev.mayfly.internal.jobs.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `mayfly demo` as a user runs it: it prints the dashboard's address, whose cost page has its
 * runners.
 */
@Tag("processes")
class DemoDashboardTest {
  @TempDir Path dir;

  @Test
  void theDemoPrintsTheDashboardWhoseCostReportCoversTheDemosRunners() throws Exception {
    Path repo = DemoRepository.pick(null, dir, dir.resolve("demo-repo"), 1).repo();
    Path log = dir.resolve("demo.log");
    Process demo =
        CliProcess.of(
                log,
                "demo",
                "--jobs",
                "6",
                "--jobs-per-runner",
                "3",
                "--db",
                dir.resolve("demo.db").toString(),
                "--repo",
                repo.toString())
            .start();
    try {
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> Files.readString(log).contains("The dispatcher keeps running"));
      Matcher m =
          Pattern.compile("dashboard: (http://127\\.0\\.0\\.1:\\d+/)")
              .matcher(Files.readString(log));
      assertThat(m.find()).as(Files.readString(log)).isTrue();
      URI url = URI.create(m.group(1));
      HttpClient http = HttpClient.newHttpClient();

      JsonNode runners = Json.mapper().readTree(get(http, url.resolve("api/runners")));
      JsonNode cost = Json.mapper().readTree(get(http, url.resolve("api/cost")));
      assertThat(runners.size()).isGreaterThanOrEqualTo(2); // 6 jobs, 3 per runner
      assertThat(cost.get("total").get("runners").asInt()).isEqualTo(runners.size());
      assertThat(cost.get("total").get("jobsRun").asInt()).isEqualTo(6);
      assertThat(cost.get("byQueue").get(0).get("queue").asText()).isEqualTo("commits");
      assertThat(get(http, url.resolve("cost"))).contains("app.js");
    } finally {
      demo.destroy();
      assertThat(demo.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static String get(HttpClient http, URI url) throws Exception {
    var r = http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(url.toString()).isEqualTo(200);
    return r.body();
  }
}
