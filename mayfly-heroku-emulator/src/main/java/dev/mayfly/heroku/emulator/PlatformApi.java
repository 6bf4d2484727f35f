package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mayfly.internal.jobs.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The Platform API's routes, as {@code shared/reference/heroku-platform-api.md} gives them: each
 * request's credentials, {@code Accept} header and rate-limit token checked in Heroku's order, then
 * answered with Heroku's paths, fields, status codes and error bodies, with {@code
 * RateLimit-Remaining} on every answer. What a test injects (faults, dropped answers, a required
 * key) is applied here; what a request does is the business of {@link Dynos} and {@link
 * LogSessions}.
 */
final class PlatformApi {
  private static final Pattern ENV_KEY = Pattern.compile("^\\w+$");
  private static final Pattern DYNOS = Pattern.compile("^/apps/([^/]+)/dynos/?$");
  private static final Pattern DYNO = Pattern.compile("^/apps/([^/]+)/dynos/([^/]+)$");
  private static final Pattern STOP = Pattern.compile("^/apps/([^/]+)/dynos/([^/]+)/actions/stop$");
  private static final Pattern CONFIG_VARS = Pattern.compile("^/apps/([^/]+)/config-vars$");
  private static final Pattern APP = Pattern.compile("^/apps/([^/]+)$");
  private static final Pattern LOG_SESSIONS = Pattern.compile("^/apps/([^/]+)/log-sessions$");
  private static final Pattern LOG_STREAM = Pattern.compile("^/log-streams/([\\w-]+)$");

  private final App app;
  private final Dynos dynos;
  private final LogSessions logSessions;
  private final URI uri;
  private final Random random;
  private final List<HerokuEmulator.Received> received = new CopyOnWriteArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong calls = new AtomicLong();
  private final AtomicInteger faults = new AtomicInteger();
  private final AtomicInteger createAnswersToDrop = new AtomicInteger();
  private volatile @Nullable String token;
  private double tokens = 4500;
  private long lastRefill = System.nanoTime();

  PlatformApi(App app, Dynos dynos, LogSessions logSessions, URI uri) {
    this.app = app;
    this.dynos = dynos;
    this.logSessions = logSessions;
    this.uri = uri;
    this.random = new Random(app.options().seed());
  }

  long calls() {
    return calls.get();
  }

  int faultsInjected() {
    return faults.get();
  }

  /** From now on only this API key is accepted. */
  void requireToken(String key) {
    this.token = key;
  }

  /** The next {@code n} dyno creates start their dyno and go unanswered. */
  void dropCreateAnswers(int n) {
    createAnswersToDrop.set(n);
  }

  List<String> requests() {
    return List.copyOf(requests);
  }

  List<HerokuEmulator.Received> received() {
    return List.copyOf(received);
  }

  void handle(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      String method = x.getRequestMethod();
      var logStream = LOG_STREAM.matcher(path);
      if (method.equals("GET") && logStream.matches()) {
        // Logplex's host, not the API: the secret in the URL is the credential, no token spent
        logSessions.stream(x, logStream.group(1));
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
      var appPath = APP.matcher(path);
      var sessions = LOG_SESSIONS.matcher(path);
      if (sessions.matches() && method.equals("POST")) {
        if (app(x, sessions.group(1))) {
          createLogSession(x);
        }
      } else if (m.matches() && method.equals("POST")) {
        if (app(x, m.group(1))) {
          create(x);
        }
      } else if (m.matches() && method.equals("GET")) {
        if (app(x, m.group(1))) {
          List<JsonNode> list = new ArrayList<>();
          dynos.all().forEach(d -> list.add(json(d)));
          send(x, 200, Json.mapper().valueToTree(list));
        }
      } else if (path.equals("/account") && method.equals("GET")) {
        send(x, 200, App.account());
      } else if (appPath.matches() && method.equals("GET")) {
        if (app(x, appPath.group(1))) {
          send(x, 200, app.info());
        }
      } else if (configVars.matches() && method.equals("GET")) {
        if (app(x, configVars.group(1))) {
          send(
              x,
              200,
              Json.mapper().valueToTree(new java.util.TreeMap<>(app.options().configVars())));
        }
      } else if (stop.matches() && method.equals("POST")) {
        if (app(x, stop.group(1))) {
          Dynos.Dyno d = dynos.find(stop.group(2));
          if (d == null) {
            error(x, 404, "not_found", "Couldn't find that process.");
          } else {
            dynos.terminate(d);
            send(x, 202, Json.mapper().createObjectNode());
          }
        }
      } else if (one.matches() && method.equals("GET")) {
        if (app(x, one.group(1))) {
          Dynos.Dyno d = dynos.find(one.group(2));
          if (d == null) {
            // Undocumented whether an ended one-off answers "complete" or 404; we answer 404.
            error(x, 404, "not_found", "Couldn't find that process.");
          } else {
            send(x, 200, json(d));
          }
        }
      } else if (one.matches() && method.equals("DELETE")) {
        if (app(x, one.group(1))) {
          Dynos.Dyno d = dynos.find(one.group(2));
          if (d != null) {
            dynos.terminate(d);
          }
          send(x, 202, Json.mapper().createObjectNode());
        }
      } else {
        error(x, 404, "not_found", "The requested API endpoint was not found.");
      }
    } catch (RuntimeException e) {
      app.options().log().println("heroku-emulator: internal error: " + e);
    }
  }

  private boolean app(HttpExchange x, String name) throws IOException {
    if (!name.equals(app.name())) {
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
    received.add(new HerokuEmulator.Received(headers, body));
    String problem = validate(body);
    if (problem != null) {
      error(x, 422, "invalid_params", problem);
      return;
    }
    if (random.nextDouble() < app.options().faultRate()) {
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
      if (dynos.counted(size) >= dynos.limit(size)) {
        capacity(x, size);
        return;
      }
      Dynos.Dyno d = dynos.launch(body, size);
      if (createAnswersToDrop.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        app.options().log().println("heroku-emulator: created " + d.name() + ", answer dropped");
        return; // closing the exchange unanswered closes the connection
      }
      send(x, 201, json(d));
    }
  }

  private void capacity(HttpExchange x, String size) throws IOException {
    String shown =
        size.isEmpty() ? size : size.substring(0, 1).toUpperCase(Locale.ROOT) + size.substring(1);
    int limit = dynos.limit(size);
    ObjectNode b = Json.mapper().createObjectNode();
    b.put("id", "cannot_run_above_limit");
    b.put("message", "Cannot run more than " + limit + " " + shown + " size dynos.");
    b.put("url", "https://devcenter.heroku.com/articles/dyno-size#default-scaling-limits");
    b.put("limit", limit);
    b.put("size", shown);
    send(x, 422, b);
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

  /** {@code POST /apps/{app}/log-sessions}: see {@link LogSessions#open}. */
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
    String problem = LogSessions.problem(b);
    if (problem != null) {
      error(x, 422, "invalid_params", problem);
      return;
    }
    send(x, 201, logSessions.open(b, uri));
  }

  private ObjectNode json(Dynos.Dyno d) {
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
    n.putObject("app").put("name", app.name()).put("id", App.ID);
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

  // ---- rate limit: 4,500 tokens, refilled at 4,500 an hour --------------------------------------

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
}
