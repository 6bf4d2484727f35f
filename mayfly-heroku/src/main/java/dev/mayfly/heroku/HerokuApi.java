package dev.mayfly.heroku;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.internal.jobs.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The few Platform API calls Mayfly makes, with Heroku's rules applied: the version 3 Accept
 * header, Bearer auth, a User-Agent, the account's request budget, and retries where Heroku's own
 * CLI retries (409, which the runtime returns while a new release settles). Reads and stops are
 * also retried after a 5xx or a lost connection. A dyno create is not: once the request may have
 * reached Heroku, the dyno may exist, and a second create would start a second process for the same
 * runner; it is retried only when it could not have been sent (connection refused or not made in
 * time). Nothing here ever puts the API key in a message.
 */
final class HerokuApi implements AutoCloseable {
  static final String ACCEPT = "application/vnd.heroku+json; version=3";
  static final String USER_AGENT = "mayfly/0.1 (+https://github.com/mayfly)";
  private static final int ATTEMPTS = 3;

  private final HerokuConfig config;
  private final HttpClient http;

  /**
   * Log streams have a client of their own: they last as long as their dynos, and closing must
   * abort them rather than wait for them.
   */
  private final HttpClient streams;

  private final TokenBucket budget;
  private int consecutive429;

  HerokuApi(HerokuConfig config, TokenBucket budget) {
    this.config = config;
    this.budget = budget;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.streams = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  JsonNode createDyno(ObjectNode body) throws HerokuException {
    return call("POST", "/apps/" + config.app() + "/dynos", body.toString(), 201, false);
  }

  Optional<JsonNode> dyno(String id) throws HerokuException {
    try {
      return Optional.of(call("GET", "/apps/" + config.app() + "/dynos/" + id, null, 200, true));
    } catch (HerokuException e) {
      if (e.status() == 404) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The app: its generation (Cedar or Fir), stack and process tier. */
  JsonNode app() throws HerokuException {
    return call("GET", "/apps/" + config.app(), null, 200, true);
  }

  /** The app's config vars: what every dyno's environment starts from. */
  Map<String, String> configVars() throws HerokuException {
    JsonNode vars = call("GET", "/apps/" + config.app() + "/config-vars", null, 200, true);
    Map<String, String> out = new java.util.TreeMap<>();
    vars.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }

  /**
   * A log session ({@code POST /apps/{app}/log-sessions}): its {@code logplex_url} streams the
   * app's log lines that {@code body} selects. Harmless to repeat.
   */
  URI logSession(ObjectNode body) throws HerokuException {
    JsonNode session =
        call("POST", "/apps/" + config.app() + "/log-sessions", body.toString(), 201, true);
    String url = session.path("logplex_url").asText("");
    if (url.isEmpty()) {
      throw new HerokuException(
          "POST", "/apps/" + config.app() + "/log-sessions", 0, "", "no logplex_url", false);
    }
    return URI.create(url);
  }

  /**
   * Streams a log session's lines to {@code lines}; the future ends with the stream. Logplex is
   * another host: the URL carries its own secret, and the API key is not sent there.
   */
  CompletableFuture<HttpResponse<Void>> followLogStream(
      URI logplexUrl, Flow.Subscriber<String> lines) {
    HttpRequest req =
        HttpRequest.newBuilder(logplexUrl)
            .header("Accept", "text/event-stream")
            .header("User-Agent", USER_AGENT)
            .GET()
            .build();
    return streams.sendAsync(
        req,
        info ->
            info.statusCode() == 200
                ? HttpResponse.BodySubscribers.fromLineSubscriber(lines)
                : HttpResponse.BodySubscribers.replacing(null));
  }

  void stopDyno(String id) throws HerokuException {
    call("POST", "/apps/" + config.app() + "/dynos/" + id + "/actions/stop", "{}", 202, true);
  }

  /**
   * @param repeatable whether the call may be sent again after it may have reached Heroku
   */
  private JsonNode call(
      String method, String path, @Nullable String body, int expected, boolean repeatable)
      throws HerokuException {
    HerokuException last = null;
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (!budget.tryAcquire()) {
        throw new HerokuException(
            method,
            path,
            429,
            "budget",
            "Mayfly's copy of the account's API budget is empty",
            true);
      }
      HttpRequest.Builder req =
          HttpRequest.newBuilder(URI.create(config.apiUrl() + path))
              .timeout(Duration.ofSeconds(30))
              .header("Accept", ACCEPT)
              .header("Authorization", "Bearer " + config.apiKey())
              .header("User-Agent", USER_AGENT);
      if (body != null) {
        req.header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
      } else {
        req.method(method, HttpRequest.BodyPublishers.noBody());
      }
      HttpResponse<String> resp;
      try {
        resp = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        last = new HerokuException(method, path, 0, "io", e.toString(), false);
        if (!repeatable && !neverSent(e)) {
          throw new HerokuException(
              method,
              path,
              0,
              "io",
              e
                  + "; the request may have reached Heroku, so it is not sent again (a second"
                  + " dyno would run the same runner)",
              false);
        }
        pause(attempt);
        continue;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new HerokuException(method, path, 0, "interrupted", "interrupted", false);
      }
      resp.headers()
          .firstValue("RateLimit-Remaining")
          .ifPresent(
              r -> {
                try {
                  budget.observe(Long.parseLong(r.trim()));
                } catch (NumberFormatException ignored) {
                  // a header we cannot read tells us nothing
                }
              });
      int status = resp.statusCode();
      if (status == expected || (status >= 200 && status < 300)) {
        return parse(resp.body());
      }
      JsonNode error = parse(resp.body());
      String id = error.path("id").asText("");
      String message = error.path("message").asText(resp.body());
      HerokuException e =
          new HerokuException(
              method, path, status, id, message, status == 429 || isCapacity(status, id));
      if (status == 429) {
        // Heroku names no reset time; the bucket refills 75 tokens a minute, so a short wait
        // buys a few calls. Each 429 in a row doubles the wait, up to a minute.
        int n;
        synchronized (this) {
          n = ++consecutive429;
        }
        budget.exhausted(TimeUnit.SECONDS.toNanos(Math.min(60, 1L << Math.min(n, 6))));
        throw e;
      }
      synchronized (this) {
        consecutive429 = 0;
      }
      if (status == 409 || (status >= 500 && repeatable)) {
        last = e;
        pause(attempt);
        continue;
      }
      throw e.withLimit(error.path("limit").asInt(0));
    }
    throw last;
  }

  /** Failures that happen before a byte of the request is written. */
  private static boolean neverSent(IOException e) {
    return e instanceof java.net.ConnectException
        || e instanceof java.net.http.HttpConnectTimeoutException
        || e.getCause() instanceof java.net.ConnectException;
  }

  private static boolean isCapacity(int status, String id) {
    return status == 422 && "cannot_run_above_limit".equals(id);
  }

  /** Jittered exponential pause between retries: about 200 ms, then 400 ms. */
  private static void pause(int attempt) {
    long base = 100L << attempt;
    try {
      Thread.sleep(base / 2 + ThreadLocalRandom.current().nextLong(base)); // retry backoff
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank()
          ? Json.mapper().createObjectNode()
          : Json.mapper().readTree(body);
    } catch (IOException e) {
      return Json.mapper().createObjectNode();
    }
  }

  @Override
  public void close() {
    streams.shutdownNow(); // ends every log stream still open
    http.close(); // a lingering selector thread would hold the JVM ~300 ms at exit
  }
}
