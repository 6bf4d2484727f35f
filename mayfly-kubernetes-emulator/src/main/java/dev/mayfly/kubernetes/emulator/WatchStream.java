package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.kubernetes.emulator.Discovery.Target;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A watch over HTTP, as kubectl and the official clients make it ({@code ?watch=true}): a chunked
 * answer of one JSON event a line, {@code {"type":"ADDED","object":{...}}}, for as long as the
 * client stays or {@code timeoutSeconds} lasts.
 *
 * <p>Its events come from the store's own watch, which replays every object as {@code ADDED} when
 * it opens. Without a {@code resourceVersion} (or with {@code 0}) the client gets the objects there
 * are now as {@code ADDED}, then changes; with one, only changes after it (the replay is skipped by
 * resource version); with {@code sendInitialEvents=true}, the objects and then a {@code BOOKMARK}
 * marking their end. Selectors are applied as the API server applies them: an object that stops
 * matching is {@code DELETED} for this watch, one that starts is {@code ADDED}.
 */
final class WatchStream {
  private static final Duration LONGEST = Duration.ofMinutes(30);

  private final Store store;

  WatchStream(Store store) {
    this.store = store;
  }

  /** Serves {@code request}, {@code present} making each object as clients see it. */
  void serve(
      ApiRequest request,
      Target target,
      Predicate<JsonNode> matches,
      Function<JsonNode, JsonNode> present,
      InputStream in,
      OutputStream out)
      throws IOException, InterruptedException {
    String from = request.param("resourceVersion");
    boolean initial =
        from == null || from.isEmpty() || from.equals("0") || request.flag("sendInitialEvents");
    long threshold = 0;
    if (!initial) {
      try {
        threshold = Long.parseLong(from);
      } catch (NumberFormatException e) {
        Wire.reply(out, 400, Wire.status(400, "BadRequest", "invalid resource version: " + from));
        return;
      }
    }
    Duration lasting = LONGEST;
    String timeout = request.param("timeoutSeconds");
    if (timeout != null) {
      try {
        lasting = Duration.ofSeconds(Long.parseLong(timeout));
      } catch (NumberFormatException e) {
        Wire.reply(out, 400, Wire.status(400, "BadRequest", "invalid timeoutSeconds"));
        return;
      }
    }
    BlockingQueue<Optional<JsonNode>> events = new LinkedBlockingQueue<>();
    String collection = target.resource().collection(target.namespace());
    WebSocket socket =
        store.watch(collection + "?watch=true", e -> events.add(Optional.ofNullable(e)));
    // the client leaving ends the watch even when nothing happens
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                while (in.read() >= 0) {
                  // nothing more is expected from a watching client
                }
              } catch (IOException e) {
                // gone
              }
              events.add(Optional.empty());
            });
    try {
      Wire.startStream(out, "application/json");
      Set<String> visible = new HashSet<>();
      if (initial) {
        Store.Answer list = store.get(collection);
        JsonNode body = list.json();
        threshold = body.path("metadata").path("resourceVersion").asLong(0);
        List<JsonNode> items =
            Resources.sorted(body.path("items")).stream().filter(matches).toList();
        for (JsonNode item : items) {
          visible.add(key(item));
          send(out, "ADDED", present.apply(item), request, target);
        }
        if (request.flag("sendInitialEvents") && !request.wantsTable()) {
          ObjectNode mark =
              Wire.object()
                  .put("kind", target.resource().kind())
                  .put("apiVersion", target.resource().groupVersion());
          ObjectNode metadata =
              mark.putObject("metadata").put("resourceVersion", String.valueOf(threshold));
          metadata.putObject("annotations").put("k8s.io/initial-events-end", "true");
          event(out, "BOOKMARK", mark);
        }
      }
      long deadline = System.nanoTime() + lasting.toNanos();
      while (System.nanoTime() < deadline) {
        Optional<JsonNode> next =
            events.poll(
                Math.min(1_000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                TimeUnit.MILLISECONDS);
        if (next == null) {
          continue;
        }
        if (next.isEmpty()) {
          break; // the client left, or the store's watch ended
        }
        String type = next.get().path("type").asText();
        JsonNode object = next.get().path("object");
        String key = key(object);
        boolean match = matches.test(object);
        if (type.equals("DELETED")) {
          if (visible.remove(key)) {
            send(out, "DELETED", present.apply(object), request, target);
          }
        } else if (object.path("metadata").path("resourceVersion").asLong(0) <= threshold) {
          // replayed: the client has seen it already
          if (match) {
            visible.add(key);
          } else {
            visible.remove(key);
          }
        } else if (match) {
          send(
              out, visible.add(key) ? "ADDED" : "MODIFIED", present.apply(object), request, target);
        } else if (visible.remove(key)) {
          send(out, "DELETED", present.apply(object), request, target);
        }
      }
      Wire.end(out);
    } finally {
      socket.abort();
    }
  }

  private static String key(JsonNode object) {
    return object.path("metadata").path("namespace").asText()
        + "/"
        + object.path("metadata").path("name").asText();
  }

  private static void send(OutputStream out, String type, JsonNode shown, ApiRequest r, Target t)
      throws IOException {
    if (r.wantsTable()) {
      shown =
          Tables.table(
              t.resource().plural(),
              List.of(shown),
              shown.path("metadata").path("resourceVersion").asText(),
              r.param("includeObject"));
    }
    event(out, type, shown);
  }

  private static void event(OutputStream out, String type, JsonNode object) throws IOException {
    ObjectNode event = Wire.object().put("type", type);
    event.set("object", object);
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    line.write(Wire.bytes(event));
    line.write('\n');
    Wire.chunk(out, line.toByteArray());
  }
}
