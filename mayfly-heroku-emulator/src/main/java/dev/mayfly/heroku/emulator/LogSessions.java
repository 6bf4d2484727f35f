package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.mayfly.internal.jobs.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Log sessions, as Heroku's CLI opens them to read the app's log ({@link AppLog}): {@code POST
 * /apps/{app}/log-sessions} answers a {@code logplex_url} whose secret names the session, and that
 * URL serves the session's lines as Server-Sent Events, following new ones when it tails.
 */
final class LogSessions {
  /** A log session: which lines, how many recent ones, and whether to keep following. */
  private record LogSession(
      Predicate<AppLog.Line> filter, int lines, boolean tail, Instant until) {}

  private final AppLog log;
  private final Map<String, LogSession> sessions = new ConcurrentHashMap<>();
  private final AtomicInteger streamsOpen = new AtomicInteger();

  LogSessions(AppLog log) {
    this.log = log;
  }

  /** Log streams being read now. */
  int streamsOpen() {
    return streamsOpen.get();
  }

  /** What is wrong with a log-session request, or null. */
  static @Nullable String problem(JsonNode b) {
    JsonNode lines = b.path("lines");
    if (!lines.isMissingNode()
        && !lines.isNull()
        && (!lines.isIntegralNumber() || lines.asInt() < 0 || lines.asInt() > AppLog.KEPT)) {
      return "lines must be an integer from 0 to " + AppLog.KEPT;
    }
    return null;
  }

  /**
   * Opens a session for a valid request: {@code dyno} (or {@code dyno_name}: {@code run.1234}, or a
   * process type for all its dynos), {@code source} ({@code app}, {@code heroku}), {@code lines}
   * (recent lines first, at most 1,500) and {@code tail}. The {@code logplex_url} is good for five
   * minutes; Heroku does not document how long.
   */
  ObjectNode open(JsonNode b, URI base) {
    JsonNode lines = b.path("lines");
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
    sessions.values().removeIf(s -> s.until().isBefore(now));
    sessions.put(
        secret,
        new LogSession(
            filter,
            lines.isIntegralNumber() ? lines.asInt() : 100,
            b.path("tail").asBoolean(false),
            now.plus(Duration.ofMinutes(5))));
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", UUID.randomUUID().toString());
    n.put("logplex_url", base + "/log-streams/" + secret);
    n.put("created_at", now.toString());
    n.put("updated_at", now.toString());
    return n;
  }

  /**
   * A log session's stream, as the CLI reads it: Server-Sent Events, one line per event; the recent
   * lines, then, when tailing, new lines as they are written until the reader goes away.
   */
  void stream(HttpExchange x, String secret) throws IOException {
    LogSession s = sessions.get(secret);
    if (s == null || s.until().isBefore(Instant.now())) {
      x.sendResponseHeaders(404, -1);
      return;
    }
    x.getResponseHeaders().set("Content-Type", "text/event-stream");
    x.getResponseHeaders().set("Cache-Control", "no-cache");
    x.sendResponseHeaders(200, 0);
    OutputStream out = x.getResponseBody();
    streamsOpen.incrementAndGet();
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
      streamsOpen.decrementAndGet();
      try {
        out.close();
      } catch (IOException ignored) {
        // the reader went away
      }
    }
  }
}
