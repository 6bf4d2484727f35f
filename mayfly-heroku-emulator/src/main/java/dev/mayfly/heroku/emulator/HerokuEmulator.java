package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * A local stand-in for the Heroku Platform API's dyno endpoints, for tests and for trying Mayfly
 * without an account. It follows {@code shared/reference/heroku-platform-api.md}: the same paths,
 * fields, status codes and error bodies, a 4,500-token bucket refilled at 4,500 an hour with {@code
 * RateLimit-Remaining} on every answer, and the concurrent one-off dyno limit answered with {@code
 * 422 cannot_run_above_limit}. Each dyno really runs: its command, after Procfile process-type
 * substitution, in {@code bash -c}, with the app's config vars plus the request's {@code env}, sent
 * SIGTERM at its {@code time_to_live} and SIGKILL after the grace period. What detached dynos
 * print, and the platform's lines about each dyno, go to the app's log, read through log sessions
 * ({@code POST /apps/{app}/log-sessions}, then a Server-Sent-Events stream at {@code logplex_url}).
 *
 * <p>Where Heroku is undocumented the emulator chooses, and says so at the spot.
 *
 * <p>This class is what tests and the CLI hold; the work is done by package-private parts: {@link
 * PlatformApi} (the routes, credentials, rate limit and injected faults), {@link Dynos} (each
 * dyno's process, its limits and its end), {@link LogSessions} over the app's log ({@link AppLog}),
 * and {@link App} (the app's settings and how the API describes it).
 */
public final class HerokuEmulator implements AutoCloseable {
  private static final Pattern PROCESS_TYPE = Pattern.compile("^([A-Za-z0-9_-]+):\\s*(\\S.*)$");

  /**
   * @param app the app name the API answers for
   * @param maxDynos concurrent one-off dynos allowed of one size, within Heroku's own limit for
   *     that size (1 Eco, 5 Performance, Private or Shield, 50 otherwise)
   * @param faultRate share of dyno-create calls answered with an injected 429, 503, 409 or 422
   * @param configVars the app's config vars, in every dyno's environment
   * @param processTypes the app's Procfile: process type to command
   * @param stopGrace SIGTERM to SIGKILL (Heroku: 30 s)
   */
  public record Options(
      String app,
      int maxDynos,
      double faultRate,
      long seed,
      Map<String, String> configVars,
      Map<String, String> processTypes,
      Duration stopGrace,
      PrintStream log) {}

  /** One create request as received, for tests that check request shapes. */
  public record Received(Map<String, String> headers, JsonNode body) {}

  private final HttpServer server;
  private final App app;
  private final AppLog log;
  private final Dynos dynos;
  private final LogSessions logSessions;
  private final PlatformApi api;

  private HerokuEmulator(Options options, HttpServer server) {
    this.server = server;
    this.app = new App(options);
    this.log = new AppLog(options.log());
    this.dynos = new Dynos(app, log);
    this.logSessions = new LogSessions(log);
    this.api = new PlatformApi(app, dynos, logSessions, uri());
  }

  /** Starts on 127.0.0.1 ({@code port} 0 picks a free one). */
  public static HerokuEmulator start(int port, Options options) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    HerokuEmulator e = new HerokuEmulator(options, server);
    server.createContext("/", e.api::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return e;
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public long calls() {
    return api.calls();
  }

  public int faultsInjected() {
    return api.faultsInjected();
  }

  /** The most dynos that were ever running at the same time. */
  public int maxConcurrent() {
    return dynos.maxConcurrent();
  }

  /**
   * From now on only this API key is accepted; any other is answered {@code 401 unauthorized}, as
   * Heroku answers a revoked or mistyped one.
   */
  public void requireToken(String key) {
    api.requireToken(key);
  }

  /**
   * Makes the app a Fir (Cloud Native Buildpacks) app or a Cedar one, on {@code tier} ({@code eco},
   * {@code basic}, {@code standard}, {@code performance}). A Fir app's commands start with {@code
   * launcher}, which the emulator strips before looking up the Procfile.
   */
  public void app(boolean fir, String tier) {
    app.platform(fir, tier);
  }

  /**
   * Dynos run in this folder, as Heroku's run in the slug's root ({@code /app}), so a Procfile's
   * relative paths ({@code target/app.jar}) resolve as they would there. Default: the emulator's
   * own working directory.
   */
  public void slug(Path dir) {
    app.slug(dir);
  }

  /**
   * Reads a Procfile: one {@code type: command} a line, as Heroku reads it (blank lines and lines
   * that are not a process type are skipped).
   */
  public static Map<String, String> procfile(Path file) throws IOException {
    Map<String, String> types = new java.util.LinkedHashMap<>();
    for (String line : Files.readAllLines(file)) {
      var m = PROCESS_TYPE.matcher(line);
      if (m.matches()) {
        types.put(m.group(1), m.group(2).trim());
      }
    }
    if (types.isEmpty()) {
      throw new IOException(file + " has no process type (lines like 'web: java -jar app.jar')");
    }
    return java.util.Collections.unmodifiableMap(types); // in the file's order
  }

  /**
   * The next {@code n} dyno creates start their dyno and then close the connection without an
   * answer: a network cut after Heroku acted, which the client sees as an I/O error.
   */
  public void dropCreateAnswers(int n) {
    api.dropCreateAnswers(n);
  }

  /**
   * How long an ended dyno still counts against the concurrency limit (default 1 s): Heroku's
   * {@code heroku run} returns once shutdown has started, not finished, so a quick next run can
   * meet the limit (heroku/hatchet#94; the real lag is not documented).
   */
  public void shutdownLag(Duration lag) {
    dynos.shutdownLag(lag);
  }

  /** Log streams being read now. */
  public int logStreamsOpen() {
    return logSessions.streamsOpen();
  }

  /** Every API call so far, as method and path ({@code POST /apps/app/dynos}), in order. */
  public List<String> requests() {
    return api.requests();
  }

  public List<Received> received() {
    return api.received();
  }

  /** The PEM certificate attached clients must trust (MAYFLY_HEROKU_TRUSTED_CERT). */
  public Path rendezvousCertificate() throws IOException {
    return dynos.rendezvous().certificate();
  }

  /**
   * Kills a dyno at once, as a crash or the platform's daily cycling would, without the grace a
   * stop gives. Returns false if there is no such running dyno.
   */
  public boolean crash(String idOrName) {
    return dynos.crash(idOrName);
  }

  /** Names of the dynos running now. */
  public List<String> running() {
    return dynos.running();
  }

  @Override
  public void close() {
    log.close(); // ends the tails, so the server need not wait for them
    server.stop(0);
    dynos.close();
  }

  /**
   * The local stand-in for an app's Procfile: a {@code runner} type that starts Mayfly's runner.
   */
  public static Map<String, String> runnerProcfile(Path java, String classPath) {
    return Map.of(
        "runner",
        "'"
            + java
            + "' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC --enable-native-access=ALL-UNNAMED"
            + " -cp '"
            + classPath
            + "' dev.mayfly.runner.RunnerMain");
  }
}
