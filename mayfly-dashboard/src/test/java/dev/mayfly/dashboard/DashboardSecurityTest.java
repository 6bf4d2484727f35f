package dev.mayfly.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.QueueConfig;
import dev.mayfly.Schedule;
import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.store.postgres.TestDatabase;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DashboardSecurityTest {
  private static final String DB_PASSWORD = "db-pw-7f3a9c";
  private static final String DASHBOARD_PASSWORD = "dash-pw-51be02";
  private static final String API_TOKEN = "api-token-c0ffee93";
  private static final String HEROKU_KEY = "heroku-key-9d8e7f";

  @TempDir Path dir;

  private Mayfly sqlite() {
    return Mayfly.create(
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(Map.of())
            .jobs(TestJobs.Nap.class, TestJobs.FailOnce.class)
            .build());
  }

  @Test
  void refusesToListenBeyondLoopbackWithoutCredentials() {
    try (Mayfly mayfly = sqlite()) {
      assertThatThrownBy(
              () -> Dashboard.start(mayfly, DashboardSettings.defaults().withBind("0.0.0.0")))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("refusing to listen on 0.0.0.0 without credentials")
          .hasMessageContaining("dashboard.password");
      assertThatThrownBy(
              () ->
                  Javalin.create(
                      c -> Dashboard.mount(c, mayfly, DashboardSettings.defaults(), registry())))
          .hasMessageContaining("refusing to listen on every interface");
    }
  }

  @Test
  void offLoopbackEveryRequestNeedsTheLoginOrTheApiToken() {
    DashboardSettings s =
        DashboardSettings.defaults()
            .withBind("0.0.0.0")
            .withPort(0)
            .withLogin("admin", DASHBOARD_PASSWORD)
            .withApiToken(API_TOKEN);
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, s)) {
      URI url = URI.create("http://127.0.0.1:" + d.url().getPort() + "/");

      var anonymous = new Http(url).get("api/queues");
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
      assertThat(new Http(url).basic("admin", "wrong").get("api/queues").statusCode())
          .isEqualTo(401);
      assertThat(new Http(url).bearer("wrong").get("").statusCode()).isEqualTo(401);
      assertThat(new Http(url).get("metrics").statusCode()).isEqualTo(401);

      assertThat(new Http(url).basic("admin", DASHBOARD_PASSWORD).get("api/queues").statusCode())
          .isEqualTo(200);
      assertThat(new Http(url).bearer(API_TOKEN).get("metrics").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void aPostWithoutTheCsrfTokenChangesNothing() throws Exception {
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0))) {
      long id = mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1, "x"));
      Http http = new Http(d.url());

      var refused = http.post("api/jobs/" + id + "/cancel", null);
      var wrong = http.post("api/jobs/" + id + "/cancel", "0".repeat(64));
      var retryDead = http.post("api/jobs/retry-dead", null);

      assertThat(List.of(refused.statusCode(), wrong.statusCode(), retryDead.statusCode()))
          .containsOnly(403);
      assertThat(refused.body()).contains("CSRF token");
      assertThat(mayfly.admin().job(id).orElseThrow().state()).isEqualTo(JobState.QUEUED);

      var accepted = http.post("api/jobs/" + id + "/cancel", http.csrf());
      assertThat(accepted.statusCode()).isEqualTo(200);
      assertThat(accepted.body()).contains("\"state\":\"cancelled\"");
      assertThat(http.post("api/jobs/retry-dead", http.csrf()).body())
          .isEqualTo("{\"retried\":0,\"refused\":[]}");
    }
  }

  @Test
  void theApiTokenStandsInForTheCsrfTokenButALoginDoesNot() {
    DashboardSettings s =
        DashboardSettings.defaults()
            .withPort(0)
            .withLogin("admin", DASHBOARD_PASSWORD)
            .withApiToken(API_TOKEN);
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, s)) {
      long a = mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1, "a"));
      long b = mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1, "b"));

      Http browser = new Http(d.url()).basic("admin", DASHBOARD_PASSWORD);
      assertThat(browser.post("api/jobs/" + a + "/cancel", null).statusCode()).isEqualTo(403);
      assertThat(browser.post("api/jobs/" + a + "/cancel", browser.csrf()).statusCode())
          .isEqualTo(200);
      assertThat(
              new Http(d.url())
                  .bearer(API_TOKEN)
                  .post("api/jobs/" + b + "/cancel", null)
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void withoutCredentialsOnlyRequestsForLocalhostAreAnswered() throws Exception {
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0))) {
      String rebound = Http.rawGet(d.url(), "/api/queues", "attacker.example:" + d.url().getPort());
      String local = Http.rawGet(d.url(), "/api/queues", "localhost:" + d.url().getPort());

      assertThat(rebound).startsWith("HTTP/1.1 403").contains("answers only to localhost");
      assertThat(local).startsWith("HTTP/1.1 200");
    }
  }

  @Test
  void badQueryParametersAreNamedAndAnswered400() {
    try (Mayfly mayfly = sqlite();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0))) {
      Http http = new Http(d.url());
      assertThat(http.get("api/jobs?state=sleeping").body()).contains("state:");
      assertThat(http.get("api/jobs?limit=0").statusCode()).isEqualTo(400);
      assertThat(http.get("api/jobs?before=last").body()).contains("before must be a job id");
      assertThat(http.get("api/runners?before=r-nope").body())
          .contains("there is no runner r-nope");
      assertThat(http.get("api/cost?since=forever").body()).contains("since:");
      assertThat(http.get("api/jobs/abc").statusCode()).isEqualTo(400);
      assertThat(http.get("api/jobs/424242").statusCode()).isEqualTo(404);
      assertThat(http.get("api/runners/nope").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void anActionOnAnUnknownScheduleNamesThoseThereAre() {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("s.db").toString())
            .environment(Map.of())
            .jobs(TestJobs.Nap.class)
            .schedule(Schedule.of("hourly", "0 * * * *", "nap", "{\"millis\": 1, \"note\": \"\"}"))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.defaults().withPort(0))) {
      Http http = new Http(d.url());
      for (String action : List.of("run", "pause", "resume")) {
        var answer = http.post("api/schedules/nightly/" + action, http.csrf());
        assertThat(answer.statusCode()).as(action).isEqualTo(404);
        assertThat(answer.body())
            .contains("there is no schedule 'nightly'; stored schedules: hourly");
      }
      assertThat(mayfly.admin().schedules()).singleElement().matches(s -> !s.paused());
      var paused = http.post("api/schedules/hourly/pause", http.csrf());
      assertThat(paused.body()).contains("\"name\":\"hourly\"", "\"paused\":true");
    }
  }

  /**
   * Every page and API response, with jobs that failed and runners that printed, holds none of the
   * database password, the dashboard's credentials or a platform key.
   */
  @Test
  void noSecretAppearsInAnyPageOrApiResponse() {
    String schema = TestDatabase.freshSchemaUrl();
    String url = schema + "&password=" + DB_PASSWORD;
    MayflyConfig config =
        MayflyConfig.builder()
            .database(url)
            .environment(Map.of("HEROKU_API_KEY", HEROKU_KEY, "MAYFLY_DASHBOARD_TOKEN", API_TOKEN))
            .module("dashboard.username", "admin")
            .module("dashboard.password", DASHBOARD_PASSWORD)
            .jobs(TestJobs.Nap.class, TestJobs.FailOnce.class)
            .defaults(
                QueueConfig.defaults("default")
                    .launcher("local")
                    .maxRunners(2)
                    .idleExit(Duration.ofMillis(300)))
            .build();
    try (Mayfly mayfly = Mayfly.create(config).start();
        Dashboard d = Dashboard.start(mayfly, DashboardSettings.from(config).withPort(0))) {
      long nap = mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(10, "hello"));
      long failed = mayfly.enqueue(TestJobs.FailOnce.class, new TestJobs.FailOnce.Args("boom"));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(
              () ->
                  mayfly.admin().job(failed).orElseThrow().state() == JobState.DEAD
                      && mayfly.admin().job(nap).orElseThrow().state() == JobState.SUCCEEDED);
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
      String runner = mayfly.admin().runners(RunnerFilter.all()).getFirst().id();
      assertThat(mayfly.admin().runnerOutput(runner)).isNotEmpty();

      Http http = new Http(d.url()).bearer(API_TOKEN);
      List<String> paths =
          new ArrayList<>(
              List.of(
                  "",
                  "jobs",
                  "jobs/" + failed,
                  "runners",
                  "runners/" + runner,
                  "cost",
                  "assets/app.js",
                  "assets/app.css",
                  "api/overview",
                  "api/queues",
                  "api/jobs",
                  "api/jobs?state=dead",
                  "api/jobs/" + failed,
                  "api/jobs/" + nap,
                  "api/runners",
                  "api/runners/" + runner,
                  "api/runners/" + runner + "/output",
                  "api/cost",
                  "metrics"));
      for (var r : mayfly.admin().runners(RunnerFilter.all())) {
        paths.add("api/runners/" + r.id() + "/output");
      }
      for (String path : paths) {
        var response = http.get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        assertThat(response.body())
            .as(path)
            .doesNotContain(DB_PASSWORD, DASHBOARD_PASSWORD, API_TOKEN, HEROKU_KEY);
      }
      assertThat(http.get("api/overview").body()).contains("password=****");
      assertThat(http.post("api/jobs/" + failed + "/retry", null).body())
          .doesNotContain(DB_PASSWORD, DASHBOARD_PASSWORD, API_TOKEN, HEROKU_KEY);
    } finally {
      TestDatabase.dropSchema(schema);
    }
  }

  @Test
  void mountsInsideAnAppsOwnJavalinUnderABasePath() {
    try (Mayfly mayfly = sqlite()) {
      mayfly.enqueue(TestJobs.Nap.class, new TestJobs.Nap.Args(1, "x"));
      Javalin app =
          Javalin.create(
              c -> {
                c.startup.showJavalinBanner = false;
                c.jetty.host = "127.0.0.1";
                c.routes.get("/hello", ctx -> ctx.result("the app's own route"));
                Dashboard.mount(
                    c, mayfly, DashboardSettings.defaults().withBasePath("/mayfly"), registry());
              });
      app.start(0);
      try {
        Http http = new Http(URI.create("http://127.0.0.1:" + app.port() + "/"));
        assertThat(http.get("hello").body()).isEqualTo("the app's own route");
        assertThat(http.get("mayfly/api/queues").body()).contains("\"queued\":1");
        assertThat(http.get("mayfly/jobs").body()).contains("content=\"/mayfly\"");
        assertThat(http.get("mayfly/").body()).contains("content=\"/mayfly\"");
        assertThat(http.get("mayfly").headers().firstValue("Location")).hasValue("/mayfly/");
        assertThat(http.get("mayfly/assets/app.js").statusCode()).isEqualTo(200);
        assertThat(http.get("mayfly/metrics").body()).contains("mayfly_jobs{");
      } finally {
        app.stop();
      }
    }
  }

  private static PrometheusMeterRegistry registry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
