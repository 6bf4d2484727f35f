package dev.mayfly.examples.typocheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.heroku.emulator.HerokuEmulator;
import dev.mayfly.store.postgres.TestDatabase;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example as a user runs it: the packaged executable jar started as its own process, a signed
 * push of 20 commits sent over HTTP as GitHub sends it, the analyses done by one-off runner
 * processes that boot the app from that jar, and the results read from the app's own table and
 * page. Once with local runner processes and SQLite, once on the Heroku emulator with the example's
 * Procfile and PostgreSQL.
 */
class TypoCheckIT {
  private static final String SECRET = "it's a webhook secret";
  private static final Path MODULE = Path.of("").toAbsolutePath();
  private static final Path JAR = MODULE.resolve("target/typo-check.jar");
  private static final Path JAVA = Path.of(ProcessHandle.current().info().command().orElseThrow());
  private static final Pattern BY = Pattern.compile("runner (r-\\S+) \\(pid (\\d+)\\)");

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopApps() throws InterruptedException {
    for (Process p : started) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    http.close();
  }

  @Test
  void aSignedPushIsAnalysedCommitByCommitInOneOffProcesses() throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("GITHUB_WEBHOOK_SECRET", SECRET);
    env.put("MAYFLY_CACHE_DIR", dir.resolve("cache").toString());
    App app =
        start(
            List.of(
                JAVA.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                JAR.toString(),
                "--server.port=0"),
            env,
            dir,
            "local");
    String db = "jdbc:sqlite:" + dir.resolve("typo-check.db");

    pushAndCheck(app, db, "local");

    // The first launch started the start-up cache's training run, which boots the app from its
    // executable jar as a runner does (Boot's launcher, from a thread of the app: a builder
    // process could not load Mayfly's classes from the nested jars).
    await()
        .atMost(Duration.ofMinutes(3))
        .until(
            () -> {
              try (var files = Files.list(dir.resolve("cache"))) {
                return files.anyMatch(f -> f.toString().matches(".*/runner-[0-9a-f]+\\.(aot|jsa)"));
              }
            });

    // the runners were processes of the app, gone now, as is the training run
    await().atMost(Duration.ofMinutes(1)).until(() -> app.process().descendants().count() == 0);
  }

  @Test
  void onTheHerokuEmulatorWithTheExamplesProcfile() throws Exception {
    String db = TestDatabase.freshSchemaUrl();
    Map<String, String> configVars = new HashMap<>();
    // as on Heroku: Heroku Postgres sets DATABASE_URL (a postgres:// URL there, which Mayfly reads
    // as well), the Java buildpack JDBC_DATABASE_URL from it, which the app's DataSource uses
    configVars.put("DATABASE_URL", db);
    configVars.put("JDBC_DATABASE_URL", db);
    configVars.put("GITHUB_WEBHOOK_SECRET", SECRET);
    // 'java' in the Procfile is the JDK the tests run on, as a slug's is the one it was built for
    configVars.put("PATH", JAVA.getParent() + ":" + System.getenv().getOrDefault("PATH", ""));
    configVars.put("JAVA_OPTS", "-Xmx256m");
    Path log = MODULE.resolve("target/heroku-app.log");
    try (PrintStream appLog =
            new PrintStream(Files.newOutputStream(log), true, StandardCharsets.UTF_8);
        HerokuEmulator heroku =
            HerokuEmulator.start(
                0,
                new HerokuEmulator.Options(
                    "typo-check",
                    50,
                    0,
                    1,
                    configVars,
                    HerokuEmulator.procfile(MODULE.resolve("Procfile")),
                    Duration.ofSeconds(30),
                    appLog))) {
      heroku.slug(MODULE);
      Map<String, String> web = new HashMap<>(configVars);
      web.put("PORT", "0");
      web.put("HEROKU_API_URL", heroku.uri().toString());
      web.put("HEROKU_API_KEY", "any");
      web.put("HEROKU_APP_NAME", "typo-check");
      String webLine = HerokuEmulator.procfile(MODULE.resolve("Procfile")).get("web");
      App app = start(List.of("bash", "-c", "exec " + webLine), web, MODULE, "heroku");

      pushAndCheck(app, db, "heroku");

      assertThat(heroku.requests()).contains("POST /apps/typo-check/dynos");
      await().atMost(Duration.ofMinutes(1)).until(() -> heroku.running().isEmpty());
      assertThat(Files.readString(log)).contains("Starting process with command `runner`");
    } finally {
      TestDatabase.dropSchema(db);
    }
  }

  /** What the issue asks of the example, on whichever platform {@code app} runs. */
  private void pushAndCheck(App app, String db, String launcher) throws Exception {
    Path repo = dir.resolve("sample-repo");
    List<SampleRepository.SampleCommit> commits =
        SampleRepository.create(repo, 20, Instant.parse("2026-12-01T10:00:00Z"));
    byte[] push = SampleRepository.pushPayload("example/sample", repo.toUri().toString(), commits);

    // refused unless signed with the webhook's secret, and nothing is stored or enqueued
    assertThat(post(app, push, GitHubWebhook.signature("not the secret", push)).statusCode())
        .isEqualTo(401);
    assertThat(post(app, push, null).statusCode()).isEqualTo(401);
    assertThat(count(db, "SELECT count(*) FROM commits")).isZero();
    assertThat(count(db, "SELECT count(*) FROM mayfly_jobs")).isZero();

    HttpResponse<String> accepted = post(app, push, GitHubWebhook.signature(SECRET, push));
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(accepted.body()).contains("\"enqueued\":20");

    await()
        .atMost(Duration.ofMinutes(4))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> count(db, "SELECT count(*) FROM commits WHERE analyzed_at IS NOT NULL") == 20);

    // every commit's findings are its misspellings, found by a job in a runner process
    Set<String> runners = new HashSet<>();
    for (SampleRepository.SampleCommit c : commits) {
      assertThat(strings(db, "SELECT word FROM findings WHERE sha = '" + c.sha() + "'"))
          .as("findings of %s", c.message())
          .containsExactlyInAnyOrderElementsOf(c.typos());
      String by =
          strings(db, "SELECT analyzed_by FROM commits WHERE sha = '" + c.sha() + "'").getFirst();
      Matcher m = BY.matcher(by);
      assertThat(m.matches()).as(by).isTrue();
      assertThat(Long.parseLong(m.group(2))).isNotEqualTo(app.process().pid());
      runners.add(m.group(1));
    }
    assertThat(strings(db, "SELECT DISTINCT launcher FROM mayfly_runners"))
        .containsExactly(launcher);
    assertThat(strings(db, "SELECT id FROM mayfly_runners")).containsAll(runners);
    assertThat(strings(db, "SELECT DISTINCT state FROM mayfly_jobs")).containsExactly("succeeded");
    assertThat(count(db, "SELECT count(*) FROM mayfly_jobs")).isEqualTo(20);

    // the page lists every commit and its findings
    String page =
        http.send(
                HttpRequest.newBuilder(app.uri("/")).build(), HttpResponse.BodyHandlers.ofString())
            .body();
    for (SampleRepository.SampleCommit c : commits) {
      assertThat(page).contains("data-sha=" + c.sha());
      for (String typo : c.typos()) {
        assertThat(page).contains("<b>" + typo + "</b>");
      }
    }
    assertThat(page).contains("no misspellings").doesNotContain("waiting");

    // GitHub redelivers: nothing new to analyse
    HttpResponse<String> again = post(app, push, GitHubWebhook.signature(SECRET, push));
    assertThat(again.body()).contains("\"enqueued\":0");
    assertThat(count(db, "SELECT count(*) FROM mayfly_jobs")).isEqualTo(20);

    // and no runner is left once the work is done
    await()
        .atMost(Duration.ofMinutes(1))
        .until(
            () ->
                count(
                        db,
                        "SELECT count(*) FROM mayfly_runners WHERE state IN ('launching', 'running')")
                    == 0);
  }

  private HttpResponse<String> post(App app, byte[] body, String signature)
      throws IOException, InterruptedException {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(app.uri("/webhooks/github"))
            .header("Content-Type", "application/json")
            .header("X-GitHub-Event", "push")
            .header("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (signature != null) {
      r.header("X-Hub-Signature-256", signature);
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An app process and the port its server took. */
  record App(Process process, int port) {
    URI uri(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }
  }

  /**
   * Starts the app's web process and waits for its server's port, from its own log line; its output
   * is kept in {@code target/NAME-web.log} for a failing run's reader.
   */
  private App start(List<String> command, Map<String, String> env, Path workDir, String name)
      throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    // nothing of the test's own environment may choose a platform or a database for the app
    pb.environment()
        .keySet()
        .removeIf(
            k ->
                k.startsWith("HEROKU_")
                    || k.startsWith("MAYFLY_")
                    || k.equals("DATABASE_URL")
                    || k.equals("JDBC_DATABASE_URL")
                    || k.equals("KUBECONFIG")
                    || k.startsWith("SPRING_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    started.add(p);
    return new App(p, AppOutput.followToPort(p, MODULE.resolve("target/" + name + "-web.log")));
  }

  private static long count(String db, String sql) throws SQLException {
    return Long.parseLong(strings(db, sql).getFirst());
  }

  private static List<String> strings(String db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      List<String> values = new ArrayList<>();
      while (rs.next()) {
        values.add(rs.getString(1));
      }
      return values;
    }
  }
}
