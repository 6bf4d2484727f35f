package dev.mayfly.heroku.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mayfly.internal.jobs.Json;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator answers as the reference documents Heroku's API to answer. */
class HerokuEmulatorTest {
  /** The version header Heroku's Platform API asks of every client. */
  private static final String ACCEPT = "application/vnd.heroku+json; version=3";

  private HerokuEmulator emulator;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    emulator =
        HerokuEmulator.start(
            0,
            new HerokuEmulator.Options(
                "app",
                1,
                0,
                1,
                Map.of(),
                Map.of(),
                Duration.ofSeconds(1),
                new PrintStream(OutputStream.nullOutputStream())));
  }

  @AfterEach
  void stop() {
    emulator.close();
    http.close();
  }

  private HttpResponse<String> call(
      String method, String path, String body, boolean auth, String accept) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(emulator.uri() + path));
    if (auth) {
      b.header("Authorization", "Bearer k");
    }
    if (accept != null) {
      b.header("Accept", accept);
    }
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> create(String body) throws Exception {
    return call("POST", "/apps/app/dynos", body, true, ACCEPT);
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return Json.mapper().readTree(r.body());
  }

  @Test
  void takesNumbersAsEnvValuesAsHerokusCliSendsThemOnATtyButNotObjects() throws Exception {
    var r = create("{\"command\": \"true\", \"env\": {\"COLUMNS\": 80, \"LINES\": 24}}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    var bad = create("{\"command\": \"true\", \"env\": {\"X\": {\"a\": 1}}}");
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(json(bad).get("id").asText()).isEqualTo("invalid_params");
  }

  @Test
  void answersTheAccountAndAppReadsHerokusCliMakesBeforeRunAndPs() throws Exception {
    var account = call("GET", "/account", null, true, ACCEPT);
    assertThat(account.statusCode()).isEqualTo(200);
    var app = call("GET", "/apps/app", null, true, "application/vnd.heroku+json; version=3.sdk");
    assertThat(app.statusCode()).isEqualTo(200);
    assertThat(json(app).path("name").asText()).isEqualTo("app");
    assertThat(json(app).path("owner").path("id").asText())
        .isEqualTo(json(account).path("id").asText());
    assertThat(json(app).path("stack").path("name").asText()).isNotEqualTo("cnb");
    assertThat(call("GET", "/apps/other", null, true, ACCEPT).statusCode()).isEqualTo(404);
  }

  @Test
  void refusesWithoutCredentialsOrTheVersionHeader() throws Exception {
    assertThat(call("POST", "/apps/app/dynos", "{}", false, ACCEPT).statusCode()).isEqualTo(401);
    var r = call("POST", "/apps/app/dynos", "{}", true, "application/json");
    assertThat(r.statusCode()).isEqualTo(406);
    assertThat(json(r).get("id").asText()).isEqualTo("not_acceptable");
  }

  @Test
  void anUnknownAppIsNotFound() throws Exception {
    var r = call("POST", "/apps/other/dynos", "{\"command\":\"true\"}", true, ACCEPT);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(json(r).get("message").asText()).isEqualTo("Couldn't find that app.");
  }

  @Test
  void invalidParametersAre422() throws Exception {
    assertThat(create("{}").statusCode()).isEqualTo(422);
    assertThat(json(create("{\"command\":\"true\",\"time_to_live\":86401}")).get("id").asText())
        .isEqualTo("invalid_params");
    assertThat(create("{\"command\":\"true\",\"env\":{\"A-B\":\"x\"}}").statusCode())
        .isEqualTo(422);
  }

  @Test
  void aDynoRunsIsListedAndStopsAndTheLimitIsEnforced() throws Exception {
    var created = create("{\"command\":\"sleep 30\",\"size\":\"standard-1X\",\"type\":\"run\"}");
    assertThat(created.statusCode()).isEqualTo(201);
    JsonNode dyno = json(created);
    assertThat(dyno.get("name").asText()).startsWith("run.");
    assertThat(dyno.get("attach_url").isNull()).isTrue();
    assertThat(created.headers().firstValue("RateLimit-Remaining")).isPresent();
    assertThat(created.headers().firstValue("Request-Id")).isPresent();

    var over = create("{\"command\":\"sleep 30\",\"size\":\"standard-1X\"}");
    assertThat(over.statusCode()).isEqualTo(422);
    assertThat(json(over).get("id").asText()).isEqualTo("cannot_run_above_limit");
    assertThat(json(over).get("limit").asInt()).isEqualTo(1);

    String id = dyno.get("id").asText();
    assertThat(call("GET", "/apps/app/dynos/" + id, null, true, ACCEPT).statusCode())
        .isEqualTo(200);
    assertThat(
            call("POST", "/apps/app/dynos/" + id + "/actions/stop", "{}", true, ACCEPT)
                .statusCode())
        .isEqualTo(202);
    awaitGone(id);
  }

  @Test
  void theRateLimitEndpointIsFree() throws Exception {
    var a = call("GET", "/account/rate-limits", null, true, ACCEPT);
    var b = call("GET", "/account/rate-limits", null, true, ACCEPT);
    assertThat(json(a).get("remaining").asLong()).isEqualTo(json(b).get("remaining").asLong());
    assertThat(emulator.calls()).isZero();
  }

  private String logSession(String body) throws Exception {
    var r = call("POST", "/apps/app/log-sessions", body, true, ACCEPT);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).path("logplex_url").asText();
  }

  private void awaitGone(String id) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> call("GET", "/apps/app/dynos/" + id, null, true, ACCEPT).statusCode() == 404);
  }

  @Test
  void aLogSessionGivesADynosRecentLinesAsServerSentEvents() throws Exception {
    String id = json(create("{\"command\":\"echo one; echo two; exit 3\"}")).get("id").asText();
    awaitGone(id);
    String name = "run.1001";

    String url = logSession("{\"dyno\":\"" + name + "\",\"lines\":1500}");
    var stream =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    assertThat(stream.body().lines().filter(l -> l.startsWith("data: ")).map(l -> l.substring(6)))
        .map(l -> l.replaceFirst("^\\S+ ", "")) // the time stamp
        .containsExactly(
            "heroku[run.1001]: Starting process with command `echo one; echo two; exit 3`",
            "heroku[run.1001]: State changed from starting to up",
            "app[run.1001]: one",
            "app[run.1001]: two",
            "heroku[run.1001]: Process exited with status 3",
            "heroku[run.1001]: State changed from up to complete");
    assertThat(
            http.send(
                    HttpRequest.newBuilder(
                            URI.create(logSession("{\"source\":\"app\",\"lines\":1}")))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body())
        .contains("app[run.1001]: two")
        .doesNotContain("one");
    assertThat(
            call("POST", "/apps/app/log-sessions", "{\"lines\":\"many\"}", true, ACCEPT)
                .statusCode())
        .isEqualTo(422);
  }

  @Test
  void aTailingLogSessionFollowsNewLinesUntilItsReaderLeaves() throws Exception {
    String url = logSession("{\"dyno\":\"run\",\"tail\":true,\"lines\":0}");
    var stream =
        http.send(
            HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofLines());
    create("{\"command\":\"echo tailed\"}");

    try (var lines = stream.body()) {
      assertThat(lines.filter(l -> l.contains("app[run.1001]: tailed")).findFirst()).isPresent();
    }
  }

  @Test
  void eachSizeHasHerokusLimitAndAnEndedDynoCountsUntilItHasShutDown() throws Exception {
    emulator.shutdownLag(Duration.ofHours(1));
    var eco = create("{\"command\":\"true\",\"size\":\"eco\"}");
    assertThat(eco.statusCode()).isEqualTo(201);
    String id = json(eco).get("id").asText();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                json(call("GET", "/apps/app/dynos/" + id, null, true, ACCEPT))
                    .path("state")
                    .asText()
                    .equals("complete"));

    var second = create("{\"command\":\"true\",\"size\":\"eco\"}");
    assertThat(second.statusCode()).isEqualTo(422);
    assertThat(json(second).get("message").asText())
        .isEqualTo("Cannot run more than 1 Eco size dynos.");
    // another size has its own limit
    assertThat(create("{\"command\":\"true\",\"size\":\"standard-1X\"}").statusCode())
        .isEqualTo(201);
  }
}
