package dev.mayfly.examples.typocheck;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.tools.ToolProvider;

/**
 * How long a Spring runner takes from launch to its first job: the example app started as a user
 * starts it, one commit pushed at a time, each analysed by a runner launched for it, and the time
 * from the dispatcher's launch to the runner's first claim read from Mayfly's tables, beside {@code
 * java Hello} on the same JDK in the same run. Not a test: {@code
 * examples/typo-check/bench-runner-start jar|extracted on|off [ROUNDS]}.
 *
 * <p>{@code jar} runs {@code java -jar target/typo-check.jar}, whose runners start through Spring
 * Boot's launcher; {@code extracted} runs the layout {@code java -Djarmode=tools -jar ... extract}
 * makes, plain jars on the class path, which the JVM's start-up cache can hold. {@code on} lets the
 * local launcher build and use its cache (waiting for it first), {@code off} sets {@code
 * MAYFLY_CACHE_DIR=off}.
 */
public final class RunnerStartBench {
  private static final String SECRET = "bench";

  private RunnerStartBench() {}

  public static void main(String[] args) throws Exception {
    String layout = args.length > 0 ? args[0] : "extracted";
    boolean cache = !(args.length > 1 && args[1].equals("off"));
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
    if (!List.of("jar", "extracted").contains(layout) || rounds < 1) {
      System.err.println("usage: bench-runner-start jar|extracted on|off [ROUNDS]");
      System.exit(2);
    }
    Path java = Path.of(ProcessHandle.current().info().command().orElseThrow());
    Path work = Files.createTempDirectory("typo-check-bench-");
    Path jar = Path.of("target/typo-check.jar").toAbsolutePath();
    if (layout.equals("extracted")) {
      run(
          work,
          java.toString(),
          "-Djarmode=tools",
          "-jar",
          jar.toString(),
          "extract",
          "--destination",
          work.resolve("app").toString());
      jar = work.resolve("app/typo-check.jar");
    }
    ProcessBuilder pb =
        new ProcessBuilder(
                java.toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                jar.toString(),
                "--server.port=0",
                "--mayfly.defaults.max-runners=1")
            .directory(work.toFile())
            .redirectErrorStream(true);
    pb.environment().put("GITHUB_WEBHOOK_SECRET", SECRET);
    pb.environment().put("MAYFLY_CACHE_DIR", cache ? work.resolve("cache").toString() : "off");
    Process app = pb.start();
    String db = "jdbc:sqlite:" + work.resolve("typo-check.db");
    System.err.println(
        "bench-runner-start: " + layout + ", cache " + (cache ? "on" : "off") + ", in " + work);
    try (HttpClient http = HttpClient.newHttpClient()) {
      int port = AppOutput.followToPort(app, work.resolve("app.log"));
      if (cache) {
        analyse(http, port, db, work, "warm-up");
        waitFor(
            Duration.ofMinutes(5),
            () -> cacheBuilt(work.resolve("cache")),
            "the runner start-up cache to be built");
      }
      List<Long> millis = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        millis.add(analyse(http, port, db, work, "round-" + i));
      }
      List<Long> hello = hello(java, work, rounds);
      long p50 = percentile(millis, 50);
      long helloP50 = percentile(hello, 50);
      System.out.printf(
          Locale.ROOT,
          "{\"layout\":\"%s\",\"cache\":%s,\"rounds\":%d,\"launchToFirstJobMs\":%s,"
              + "\"p50\":%d,\"p95\":%d,\"helloMs\":%s,\"helloP50\":%d,\"ratio\":%.1f}%n",
          layout,
          cache,
          rounds,
          millis,
          p50,
          percentile(millis, 95),
          hello,
          helloP50,
          (double) p50 / helloP50);
    } finally {
      app.descendants().forEach(ProcessHandle::destroy);
      app.destroy();
      app.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** Pushes one new commit, waits until it is analysed and its runner gone; launch to claim. */
  private static long analyse(HttpClient http, int port, String db, Path work, String name)
      throws Exception {
    Path repo = work.resolve(name);
    var made = SampleRepository.create(repo, 1, Instant.now());
    byte[] body = SampleRepository.pushPayload("bench/" + name, repo.toUri().toString(), made);
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhooks/github"))
                .header("X-GitHub-Event", "push")
                .header("X-Hub-Signature-256", GitHubWebhook.signature(SECRET, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (answer.statusCode() != 202) {
      throw new IllegalStateException("push refused: " + answer.statusCode() + answer.body());
    }
    String sha = made.getFirst().sha();
    waitFor(
        Duration.ofMinutes(3),
        () ->
            number(
                    db,
                    "SELECT count(*) FROM commits c JOIN mayfly_runners r ON r.id = ("
                        + "SELECT runner_id FROM mayfly_attempts WHERE job_id = c.job_id LIMIT 1)"
                        + " WHERE c.sha = '"
                        + sha
                        + "' AND c.analyzed_at IS NOT NULL AND r.exited_at IS NOT NULL")
                == 1,
        "commit " + sha + " analysed and its runner gone");
    return number(
        db,
        "SELECT a.started_at - r.launched_at FROM commits c"
            + " JOIN mayfly_attempts a ON a.job_id = c.job_id"
            + " JOIN mayfly_runners r ON r.id = a.runner_id WHERE c.sha = '"
            + sha
            + "'");
  }

  private static boolean cacheBuilt(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.getFileName().toString().matches("runner-.*\\.(aot|jsa)"));
    } catch (IOException e) {
      return false;
    }
  }

  /** {@code java Hello} with a runner's JVM options, {@code n} times, in ms from start to exit. */
  private static List<Long> hello(Path java, Path work, int n) throws Exception {
    Path src = Files.createDirectories(work.resolve("hello"));
    Files.writeString(
        src.resolve("Hello.java"),
        "public class Hello { public static void main(String[] a) {"
            + " System.out.println(\"hello\"); } }");
    if (ToolProvider.getSystemJavaCompiler()
            .run(null, null, null, src.resolve("Hello.java").toString())
        != 0) {
      throw new IllegalStateException("could not compile Hello");
    }
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      run(
          work,
          java.toString(),
          "-XX:TieredStopAtLevel=1",
          "-XX:+UseSerialGC",
          "-cp",
          src.toString(),
          "Hello");
      millis.add((System.nanoTime() - t0) / 1_000_000);
    }
    return millis;
  }

  private static void run(Path dir, String... command) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed");
    }
  }

  private static void waitFor(Duration limit, BooleanSupplier done, String what)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException("gave up waiting for " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static long number(String db, String sql) {
    try (Connection c = DriverManager.getConnection(db);
        ResultSet rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      return -1; // the tables are not there yet
    }
  }

  private static long percentile(List<Long> values, int p) {
    List<Long> sorted = values.stream().sorted().toList();
    int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }
}
