package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mayfly.internal.jobs.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

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
 */
public final class HerokuEmulator implements AutoCloseable {
  private static final Pattern ENV_KEY = Pattern.compile("^\\w+$");
  private static final Pattern PROCESS_TYPE = Pattern.compile("^([A-Za-z0-9_-]+):\\s*(\\S.*)$");
  private static final Pattern DYNOS = Pattern.compile("^/apps/([^/]+)/dynos/?$");
  private static final Pattern DYNO = Pattern.compile("^/apps/([^/]+)/dynos/([^/]+)$");
  private static final Pattern STOP = Pattern.compile("^/apps/([^/]+)/dynos/([^/]+)/actions/stop$");
  private static final Pattern CONFIG_VARS = Pattern.compile("^/apps/([^/]+)/config-vars$");
  private static final Pattern APP = Pattern.compile("^/apps/([^/]+)$");
  private static final Pattern LOG_SESSIONS = Pattern.compile("^/apps/([^/]+)/log-sessions$");
  private static final Pattern LOG_STREAM = Pattern.compile("^/log-streams/([\\w-]+)$");

  /** The one account and app the emulator serves, with fixed ids. */
  private static final String ACCOUNT_ID = "00000000-0000-0000-0000-0000000000ac";

  private static final String APP_ID = "00000000-0000-0000-0000-0000000000aa";

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

  private final Options options;
  private final HttpServer server;
  private final Random random;
  private final Map<String, Dyno> dynos = new ConcurrentHashMap<>();
  private final Map<String, LogSession> logSessions = new ConcurrentHashMap<>();
  private final AtomicInteger logStreamsOpen = new AtomicInteger();
  private final AppLog log;
  private volatile Duration shutdownLag = Duration.ofSeconds(1);
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicInteger faults = new AtomicInteger();
  private final AtomicInteger createAnswersToDrop = new AtomicInteger();
  private volatile @Nullable String token;
  private volatile boolean fir;
  private volatile String tier = "standard";
  private volatile @Nullable Path slug;
  private final AtomicInteger maxConcurrent = new AtomicInteger();
  private final AtomicInteger runNumber = new AtomicInteger(1000);
  private final ScheduledExecutorService timers =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "heroku-emulator-timer");
            t.setDaemon(true);
            return t;
          });
  private @Nullable RendezvousServer rendezvous;
  private double tokens = 4500;
  private long lastRefill = System.nanoTime();

  private HerokuEmulator(Options options, HttpServer server) {
    this.options = options;
    this.server = server;
    this.random = new Random(options.seed());
    this.log = new AppLog(options.log());
  }

  /** Starts on 127.0.0.1 ({@code port} 0 picks a free one). */
  public static HerokuEmulator start(int port, Options options) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    HerokuEmulator e = new HerokuEmulator(options, server);
    server.createContext("/", e::handle);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return e;
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public long calls() {
    return calls.get();
  }

  public int faultsInjected() {
    return faults.get();
  }

  /** The most dynos that were ever running at the same time. */
  public int maxConcurrent() {
    return maxConcurrent.get();
  }

  /**
   * From now on only this API key is accepted; any other is answered {@code 401 unauthorized}, as
   * Heroku answers a revoked or mistyped one.
   */
  public void requireToken(String key) {
    this.token = key;
  }

  /**
   * Makes the app a Fir (Cloud Native Buildpacks) app or a Cedar one, on {@code tier} ({@code eco},
   * {@code basic}, {@code standard}, {@code performance}). A Fir app's commands start with {@code
   * launcher}, which the emulator strips before looking up the Procfile.
   */
  public void app(boolean fir, String tier) {
    this.fir = fir;
    this.tier = tier;
  }

  /**
   * Dynos run in this folder, as Heroku's run in the slug's root ({@code /app}), so a Procfile's
   * relative paths ({@code target/app.jar}) resolve as they would there. Default: the emulator's
   * own working directory.
   */
  public void slug(Path dir) {
    this.slug = dir;
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
    createAnswersToDrop.set(n);
  }

  /**
   * How long an ended dyno still counts against the concurrency limit (default 1 s): Heroku's
   * {@code heroku run} returns once shutdown has started, not finished, so a quick next run can
   * meet the limit (heroku/hatchet#94; the real lag is not documented).
   */
  public void shutdownLag(Duration lag) {
    this.shutdownLag = lag;
  }

  /** Log streams being read now. */
  public int logStreamsOpen() {
    return logStreamsOpen.get();
  }

  /** Every API call so far, as method and path ({@code POST /apps/app/dynos}), in order. */
  public List<String> requests() {
    return List.copyOf(requests);
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** A dyno; its process is null while an attached dyno waits for its client. */
  private record Dyno(
      String id,
      String name,
      String command,
      String size,
      String type,
      Instant createdAt,
      @Nullable String attachUrl,
      AtomicReference<Process> process) {

    boolean alive() {
      Process p = process.get();
      return p == null || p.isAlive();
    }
  }

  // ---- HTTP -----------------------------------------------------------------------------------

  private void handle(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      String method = x.getRequestMethod();
      var logStream = LOG_STREAM.matcher(path);
      if (method.equals("GET") && logStream.matches()) {
        // Logplex's host, not the API: the secret in the URL is the credential, no token spent
        streamLog(x, logStream.group(1));
        return;
      }
      if (method.equals("GET") && path.equals("/account/rate-limits")) {
        // documented as free: it does not take a token
        send(x, 200, Json.mapper().createObjectNode().put("remaining", (long) remaining()));
        return;
      }
      calls.incrementAndGet();
      requests.add(method + " " + path);
      if (!takeToken()) {
        error(
            x,
            429,
            "rate_limit",
            "Your account reached the API rate limit\nPlease wait a few"
                + " minutes before making new requests");
        return;
      }
      String auth = x.getRequestHeaders().getFirst("Authorization");
      String required = token;
      if (auth == null
          || !auth.startsWith("Bearer ")
          || auth.length() <= "Bearer ".length()
          || (required != null && !auth.equals("Bearer " + required))) {
        error(x, 401, "unauthorized", "Invalid credentials provided.");
        return;
      }
      String accept = x.getRequestHeaders().getFirst("Accept");
      if (accept == null || !accept.startsWith("application/vnd.heroku+json; version=3")) {
        error(
            x,
            406,
            "not_acceptable",
            "Please set `Accept: application/vnd.heroku+json;"
                + " version=3` header and try again.");
        return;
      }
      var m = DYNOS.matcher(path);
      var one = DYNO.matcher(path);
      var stop = STOP.matcher(path);
      var configVars = CONFIG_VARS.matcher(path);
      var app = APP.matcher(path);
      var logSessions = LOG_SESSIONS.matcher(path);
      if (logSessions.matches() && method.equals("POST")) {
        if (app(x, logSessions.group(1))) {
          createLogSession(x);
        }
      } else if (m.matches() && method.equals("POST")) {
        if (app(x, m.group(1))) {
          create(x);
        }
      } else if (m.matches() && method.equals("GET")) {
        if (app(x, m.group(1))) {
          List<JsonNode> list = new ArrayList<>();
          dynos.values().forEach(d -> list.add(json(d)));
          send(x, 200, Json.mapper().valueToTree(list));
        }
      } else if (path.equals("/account") && method.equals("GET")) {
        send(x, 200, account());
      } else if (app.matches() && method.equals("GET")) {
        if (app(x, app.group(1))) {
          send(x, 200, appInfo());
        }
      } else if (configVars.matches() && method.equals("GET")) {
        if (app(x, configVars.group(1))) {
          send(x, 200, Json.mapper().valueToTree(new java.util.TreeMap<>(options.configVars())));
        }
      } else if (stop.matches() && method.equals("POST")) {
        if (app(x, stop.group(1))) {
          Dyno d = find(stop.group(2));
          if (d == null) {
            error(x, 404, "not_found", "Couldn't find that process.");
          } else {
            terminate(d);
            send(x, 202, Json.mapper().createObjectNode());
          }
        }
      } else if (one.matches() && method.equals("GET")) {
        if (app(x, one.group(1))) {
          Dyno d = find(one.group(2));
          if (d == null) {
            // Undocumented whether an ended one-off answers "complete" or 404; we answer 404.
            error(x, 404, "not_found", "Couldn't find that process.");
          } else {
            send(x, 200, json(d));
          }
        }
      } else if (one.matches() && method.equals("DELETE")) {
        if (app(x, one.group(1))) {
          Dyno d = find(one.group(2));
          if (d != null) {
            terminate(d);
          }
          send(x, 202, Json.mapper().createObjectNode());
        }
      } else {
        error(x, 404, "not_found", "The requested API endpoint was not found.");
      }
    } catch (RuntimeException e) {
      options.log().println("heroku-emulator: internal error: " + e);
    }
  }

  private boolean app(HttpExchange x, String app) throws IOException {
    if (!app.equals(options.app())) {
      error(x, 404, "not_found", "Couldn't find that app.");
      return false;
    }
    return true;
  }

  private void create(HttpExchange x) throws IOException {
    JsonNode body;
    try {
      body = Json.mapper().readTree(x.getRequestBody());
    } catch (IOException e) {
      error(x, 400, "bad_request", "Invalid JSON in request body.");
      return;
    }
    Map<String, String> headers = new HashMap<>();
    x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v.getFirst()));
    received.add(new Received(headers, body));
    String problem = validate(body);
    if (problem != null) {
      error(x, 422, "invalid_params", problem);
      return;
    }
    if (random.nextDouble() < options.faultRate()) {
      faults.incrementAndGet();
      switch (random.nextInt(4)) {
        case 0 -> error(x, 429, "rate_limit", "Your account reached the API rate limit");
        case 1 -> error(x, 503, "", "Service Unavailable");
        case 2 -> error(x, 409, "conflict", "The release is not ready yet.");
        default -> capacity(x, body.path("size").asText("standard-1X"));
      }
      return;
    }
    String size = body.path("size").asText("standard-1X");
    synchronized (dynos) {
      if (counted(size) >= limit(size)) {
        capacity(x, size);
        return;
      }
      Dyno d = launch(body, size);
      maxConcurrent.accumulateAndGet(alive(), Math::max);
      if (createAnswersToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        options.log().println("heroku-emulator: created " + d.name() + ", answer dropped");
        return; // closing the exchange unanswered closes the connection
      }
      send(x, 201, json(d));
    }
  }

  private void capacity(HttpExchange x, String size) throws IOException {
    String shown =
        size.isEmpty() ? size : size.substring(0, 1).toUpperCase(Locale.ROOT) + size.substring(1);
    ObjectNode b = Json.mapper().createObjectNode();
    b.put("id", "cannot_run_above_limit");
    b.put("message", "Cannot run more than " + limit(size) + " " + shown + " size dynos.");
    b.put("url", "https://devcenter.heroku.com/articles/dyno-size#default-scaling-limits");
    b.put("limit", limit(size));
    b.put("size", shown);
    send(x, 422, b);
  }

  /**
   * Concurrent one-off dynos of a size (Dev Center, "Concurrent One-Off Dyno Limits"): 1 Eco, 5
   * Performance, Private or Shield, 50 Basic or Standard; {@code maxDynos} lowers it.
   */
  private int limit(String size) {
    String s = size.toLowerCase(Locale.ROOT);
    int heroku =
        s.equals("eco")
            ? 1
            : s.startsWith("performance") || s.startsWith("private") || s.startsWith("shield")
                ? 5
                : 50;
    return Math.min(heroku, options.maxDynos());
  }

  /**
   * Dynos of a size that count against its limit: running, waiting for their client, or ended less
   * than the shutdown lag ago.
   */
  private int counted(String size) {
    return (int) dynos.values().stream().filter(d -> d.size().equalsIgnoreCase(size)).count();
  }

  /** The documented field types; {@code command} required, {@code time_to_live} at most 24 h. */
  private static @Nullable String validate(JsonNode b) {
    if (!b.isObject()) {
      return "body must be a JSON object";
    }
    if (!b.path("command").isTextual() || b.path("command").asText().isBlank()) {
      return "command is required and must be a string";
    }
    if (b.has("env")) {
      if (!b.get("env").isObject()) {
        return "env must be an object";
      }
      for (var it = b.get("env").fields(); it.hasNext(); ) {
        var e = it.next();
        // Heroku takes numbers too (the CLI sends COLUMNS and LINES as numbers on a TTY) and
        // passes them on as text; objects, arrays and null are refused.
        if (!ENV_KEY.matcher(e.getKey()).matches()
            || !(e.getValue().isTextual() || e.getValue().isNumber())) {
          return "env keys must match ^\\w+$ and values be strings: " + e.getKey();
        }
      }
    }
    if (b.has("time_to_live")
        && (!b.get("time_to_live").isIntegralNumber()
            || b.get("time_to_live").asLong() < 1
            || b.get("time_to_live").asLong() > 86_400)) {
      return "time_to_live must be an integer number of seconds, at most 86400";
    }
    for (String f : List.of("size", "type")) {
      if (b.has(f) && !b.get(f).isTextual()) {
        return f + " must be a string";
      }
    }
    for (String f : List.of("attach", "force_no_tty")) {
      if (b.has(f) && !b.get(f).isBoolean() && !b.get(f).isNull()) {
        return f + " must be a boolean";
      }
    }
    return null;
  }

  // ---- logs -----------------------------------------------------------------------------------

  /** A log session: which lines, how many recent ones, and whether to keep following. */
  private record LogSession(
      Predicate<AppLog.Line> filter, int lines, boolean tail, Instant until) {}

  /**
   * {@code POST /apps/{app}/log-sessions}: {@code dyno} (or {@code dyno_name}: {@code run.1234}, or
   * a process type for all its dynos), {@code source} ({@code app}, {@code heroku}), {@code lines}
   * (recent lines first, at most 1,500) and {@code tail}. The {@code logplex_url} is good for five
   * minutes; Heroku does not document how long.
   */
  private void createLogSession(HttpExchange x) throws IOException {
    JsonNode b;
    try {
      b = Json.mapper().readTree(x.getRequestBody());
    } catch (IOException e) {
      error(x, 400, "bad_request", "Invalid JSON in request body.");
      return;
    }
    if (b == null || b.isMissingNode() || b.isNull()) {
      b = Json.mapper().createObjectNode();
    }
    JsonNode lines = b.path("lines");
    if (!lines.isMissingNode()
        && !lines.isNull()
        && (!lines.isIntegralNumber() || lines.asInt() < 0 || lines.asInt() > AppLog.KEPT)) {
      error(x, 422, "invalid_params", "lines must be an integer from 0 to " + AppLog.KEPT);
      return;
    }
    String dyno = b.path("dyno_name").asText(b.path("dyno").asText(""));
    String source = b.path("source").asText("");
    Predicate<AppLog.Line> filter =
        l ->
            (dyno.isEmpty()
                    || l.dyno().equals(dyno)
                    || (!dyno.contains(".") && l.dyno().startsWith(dyno + ".")))
                && (source.isEmpty() || l.source().equals(source));
    String secret = UUID.randomUUID().toString();
    Instant now = Instant.now();
    logSessions.values().removeIf(s -> s.until().isBefore(now));
    logSessions.put(
        secret,
        new LogSession(
            filter,
            lines.isIntegralNumber() ? lines.asInt() : 100,
            b.path("tail").asBoolean(false),
            now.plus(Duration.ofMinutes(5))));
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", UUID.randomUUID().toString());
    n.put("logplex_url", uri() + "/log-streams/" + secret);
    n.put("created_at", now.toString());
    n.put("updated_at", now.toString());
    send(x, 201, n);
  }

  /**
   * A log session's stream, as the CLI reads it: Server-Sent Events, one line per event; the recent
   * lines, then, when tailing, new lines as they are written until the reader goes away.
   */
  private void streamLog(HttpExchange x, String secret) throws IOException {
    LogSession s = logSessions.get(secret);
    if (s == null || s.until().isBefore(Instant.now())) {
      x.sendResponseHeaders(404, -1);
      return;
    }
    x.getResponseHeaders().set("Content-Type", "text/event-stream");
    x.getResponseHeaders().set("Cache-Control", "no-cache");
    x.sendResponseHeaders(200, 0);
    OutputStream out = x.getResponseBody();
    logStreamsOpen.incrementAndGet();
    AppLog.Batch batch = log.recent(s.filter(), s.lines());
    try {
      while (batch != null) {
        StringBuilder events = new StringBuilder();
        for (AppLog.Line l : batch.lines()) {
          events.append("id: ").append(l.seq()).append("\ndata: ").append(l.text()).append("\n\n");
        }
        if (!s.tail()) {
          out.write(events.toString().getBytes(StandardCharsets.UTF_8));
          break;
        }
        // a comment line when there is nothing new, so a reader that left is noticed
        out.write(
            (events.isEmpty() ? ":\n\n" : events.toString()).getBytes(StandardCharsets.UTF_8));
        out.flush();
        batch = log.after(batch.last(), s.filter(), Duration.ofSeconds(5));
      }
    } catch (IOException e) {
      // the reader went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      logStreamsOpen.decrementAndGet();
      try {
        out.close();
      } catch (IOException ignored) {
        // the reader went away
      }
    }
  }

  // ---- dynos ----------------------------------------------------------------------------------

  private Dyno launch(JsonNode body, String size) throws IOException {
    String type = body.path("type").asText("run");
    String name = type + "." + runNumber.incrementAndGet();
    boolean attach = body.path("attach").asBoolean(false);
    String secret = UUID.randomUUID().toString();
    String attachUrl = null;
    if (attach) {
      attachUrl = "rendezvous://127.0.0.1:" + rendezvous().port() + "/" + secret;
    }
    Dyno d =
        new Dyno(
            UUID.randomUUID().toString(),
            name,
            body.get("command").asText(),
            size,
            type,
            Instant.now(),
            attachUrl,
            new AtomicReference<>());
    // listed before its process starts: a process that ends at once is then unlisted for good
    dynos.put(d.id(), d);
    if (!attach) {
      startProcess(d, body, null);
      return d;
    }
    log.heroku(name, "Awaiting client");
    RendezvousServer server = rendezvous();
    server.expect(
        secret,
        socket -> {
          try {
            startProcess(d, body, socket);
          } catch (IOException e) {
            log.heroku(name, "Error R10 (Boot timeout) -> could not start: " + e);
            closeQuietly(socket);
            dynos.remove(d.id());
          }
        });
    // Heroku gives up on an unattached dyno after about 30 s (R13).
    timers.schedule(
        () -> {
          if (server.forget(secret)) {
            log.heroku(name, "Error R13 (Attach error) -> Failed to attach to process");
            log.heroku(name, "State changed from starting to crashed");
            dynos.remove(d.id());
          }
        },
        30,
        TimeUnit.SECONDS);
    return d;
  }

  private void startProcess(Dyno d, JsonNode body, @Nullable Socket attached) throws IOException {
    String command = resolve(body.get("command").asText());
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
    Path dir = slug;
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.environment().putAll(options.configVars());
    body.path("env")
        .fields()
        .forEachRemaining(e -> pb.environment().put(e.getKey(), e.getValue().asText()));
    pb.environment().put("DYNO", d.name());
    log.heroku(d.name(), "Starting process with command `" + d.command() + "`");
    Process p = pb.start();
    d.process().set(p);
    log.heroku(d.name(), "State changed from starting to up");
    Thread output =
        Thread.ofVirtual()
            .start(
                () -> {
                  try (InputStream in = p.getInputStream()) {
                    if (attached != null) {
                      // Attached: the client's bytes go to the process's stdin (0x04 ends it), and
                      // the output goes to the client, raw, until the process ends; then the socket
                      // closes, which is how the client learns the end. Heroku's CLI writes 0x04
                      // when
                      // its own stdin ends and fails if the socket is already gone, so the close
                      // waits, briefly, for that.
                      Thread input = Thread.ofVirtual().start(() -> relayInput(attached, p));
                      try (attached;
                          OutputStream out = attached.getOutputStream()) {
                        in.transferTo(out);
                        out.flush();
                        input.join(Duration.ofSeconds(2));
                      } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                      }
                    } else {
                      // Detached: output goes to the app's log; here, the emulator's own output.
                      BufferedReader r =
                          new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                      for (String line = r.readLine(); line != null; line = r.readLine()) {
                        log.app(d.name(), line);
                      }
                    }
                  } catch (IOException ignored) {
                    // the client or the dyno went away
                  }
                });
    long ttl = body.path("time_to_live").asLong(86_400);
    timers.schedule(() -> terminate(d), ttl, TimeUnit.SECONDS);
    p.onExit()
        .thenRun(
            () -> {
              try {
                output.join(Duration.ofSeconds(2)); // its last lines come before its end
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              log.heroku(d.name(), "Process exited with status " + p.exitValue());
              log.heroku(d.name(), "State changed from up to complete");
              // still counted while Heroku finishes shutting it down
              timers.schedule(
                  () -> dynos.remove(d.id()), shutdownLag.toMillis(), TimeUnit.MILLISECONDS);
            });
  }

  /** Client to process: bytes to its stdin until the client ends it with 0x04 or goes away. */
  private static void relayInput(Socket client, Process p) {
    try (OutputStream to = p.getOutputStream()) {
      InputStream from = client.getInputStream(); // not closed here: that would close the socket
      for (int b = from.read(); b != -1 && b != 0x04; b = from.read()) {
        to.write(b);
        if (b == '\n') {
          to.flush();
        }
      }
    } catch (IOException e) {
      // the client or the process went away: stdin ends either way
    }
  }

  private synchronized RendezvousServer rendezvous() throws IOException {
    if (rendezvous == null) {
      rendezvous = RendezvousServer.start(Files.createTempDirectory("heroku-emulator-"));
    }
    return rendezvous;
  }

  /** The PEM certificate attached clients must trust (MAYFLY_HEROKU_TRUSTED_CERT). */
  public Path rendezvousCertificate() throws IOException {
    return rendezvous().certificate();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // gone
    }
  }

  /**
   * Kills a dyno at once, as a crash or the platform's daily cycling would, without the grace a
   * stop gives. Returns false if there is no such running dyno.
   */
  public boolean crash(String idOrName) {
    Dyno d = find(idOrName);
    Process p = d == null ? null : d.process().get();
    if (p == null) {
      return false;
    }
    p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    return true;
  }

  /** Names of the dynos running now. */
  public List<String> running() {
    return dynos.values().stream()
        .filter(d -> d.process().get() != null && d.alive())
        .map(Dyno::name)
        .toList();
  }

  /** Procfile substitution: a first token naming a process type is replaced by its command. */
  private String resolve(String command) {
    String c = command.trim();
    if (fir && c.startsWith("launcher ")) {
      c = c.substring("launcher ".length()).trim(); // the CNB launcher runs the process type
    }
    String[] parts = c.split("\\s+", 2);
    String type = options.processTypes().get(parts[0]);
    return type == null ? c : type + (parts.length > 1 ? " " + parts[1] : "");
  }

  /** SIGTERM, then SIGKILL after the grace period, as Heroku stops dynos. */
  private void terminate(Dyno d) {
    Process p = d.process().get();
    if (p == null) {
      dynos.remove(d.id());
      return;
    }
    ProcessHandle h = p.toHandle();
    if (h.isAlive()) {
      log.heroku(d.name(), "Stopping all processes with SIGTERM");
    }
    h.descendants().forEach(ProcessHandle::destroy);
    h.destroy();
    timers.schedule(
        () -> {
          if (h.isAlive()) {
            log.heroku(
                d.name(),
                "Error R12 (Exit timeout) -> At least one process failed to exit within "
                    + options.stopGrace().toSeconds()
                    + " seconds of SIGTERM");
            log.heroku(d.name(), "Stopping all processes with SIGKILL");
          }
          h.descendants().forEach(ProcessHandle::destroyForcibly);
          h.destroyForcibly();
        },
        options.stopGrace().toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private int alive() {
    return (int) dynos.values().stream().filter(Dyno::alive).count();
  }

  private @Nullable Dyno find(String idOrName) {
    Dyno d = dynos.get(idOrName);
    if (d != null) {
      return d;
    }
    return dynos.values().stream().filter(x -> x.name().equals(idOrName)).findFirst().orElse(null);
  }

  /** The fields of an Account that Heroku's CLI reads ({@code heroku ps}, {@code heroku run}). */
  private static ObjectNode account() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", ACCOUNT_ID);
    n.put("email", "emulator@mayfly.invalid");
    n.put("name", "Mayfly's Heroku emulator");
    n.put("two_factor_authentication", false);
    n.put("verified", true);
    return n;
  }

  /**
   * The fields of an App that Heroku's CLI reads: a Cedar app on the {@code heroku-24} stack
   * ({@code cnb} would make {@code heroku run} prefix {@code launcher}), Standard tier.
   */
  private ObjectNode appInfo() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", APP_ID);
    n.put("name", options.app());
    n.putObject("owner").put("id", ACCOUNT_ID).put("email", "emulator@mayfly.invalid");
    n.putObject("stack")
        .put("id", "00000000-0000-0000-0000-000000000024")
        .put("name", fir ? "cnb" : "heroku-24");
    n.putObject("generation").put("name", fir ? "fir" : "cedar");
    n.putObject("region").put("id", "00000000-0000-0000-0000-0000000000e0").put("name", "us");
    n.put("process_tier", tier);
    n.putNull("space");
    n.put("web_url", "https://" + options.app() + ".herokuapp.com/");
    return n;
  }

  private ObjectNode json(Dyno d) {
    ObjectNode n = Json.mapper().createObjectNode();
    if (d.attachUrl() == null) {
      n.putNull("attach_url");
    } else {
      n.put("attach_url", d.attachUrl());
    }
    n.put("command", d.command());
    n.put("created_at", d.createdAt().toString());
    n.put("id", d.id());
    n.put("name", d.name());
    n.putObject("release").put("id", "00000000-0000-0000-0000-000000000001").put("version", 1);
    n.putObject("app").put("name", options.app()).put("id", APP_ID);
    n.put("size", d.size());
    Process p = d.process().get();
    // "complete" after a clean exit, as Heroku's logs say; the dyno is unlisted moments later
    n.put(
        "state",
        p == null ? "starting" : p.isAlive() ? "up" : p.exitValue() == 0 ? "complete" : "crashed");
    n.put("type", d.type());
    n.put("updated_at", Instant.now().toString());
    return n;
  }

  // ---- rate limit -------------------------------------------------------------------------------

  private synchronized boolean takeToken() {
    refill();
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  private synchronized double remaining() {
    refill();
    return tokens;
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(4500, tokens + (now - lastRefill) / 1e9 * 4500 / 3600);
    lastRefill = now;
  }

  private void error(HttpExchange x, int status, String id, String message) throws IOException {
    ObjectNode b = Json.mapper().createObjectNode();
    b.put("id", id);
    b.put("message", message);
    send(x, status, b);
  }

  private void send(HttpExchange x, int status, JsonNode body) throws IOException {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.getResponseHeaders().set("RateLimit-Remaining", Long.toString((long) remaining()));
    x.getResponseHeaders().set("Request-Id", UUID.randomUUID().toString());
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    log.close(); // ends the tails, so the server need not wait for them
    server.stop(0);
    dynos
        .values()
        .forEach(
            d -> {
              Process p = d.process().get();
              if (p != null) {
                p.toHandle().destroyForcibly();
              }
            });
    timers.shutdownNow();
    if (rendezvous != null) {
      try {
        rendezvous.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
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
