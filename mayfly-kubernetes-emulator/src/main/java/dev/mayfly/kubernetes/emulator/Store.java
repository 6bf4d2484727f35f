package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The mock server behind the front, where objects are kept: plain HTTP for reads and writes, and
 * its WebSocket watches (which replay every object as {@code ADDED}, then send changes).
 */
final class Store implements AutoCloseable {
  @SuppressWarnings("ArrayRecordComponent") // an answer is read once, never compared
  record Answer(int code, byte[] body) {
    JsonNode json() {
      return Wire.parse(body);
    }

    boolean ok() {
      return code >= 200 && code < 300;
    }
  }

  private final String base;
  private final HttpClient http;

  Store(int port) {
    this.base = "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port;
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
  }

  Answer get(String path) throws IOException, InterruptedException {
    return send("GET", path, null, new byte[0]);
  }

  Answer send(String method, String path, @Nullable String contentType, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(
        method,
        body.length == 0
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    return new Answer(response.statusCode(), response.body());
  }

  /**
   * Watches the collection at {@code path}: every event, then null once the watch has ended. The
   * returned handle ends it.
   */
  WebSocket watch(String path, Consumer<@Nullable JsonNode> events)
      throws IOException, InterruptedException {
    WebSocket.Listener listener =
        new WebSocket.Listener() {
          private final StringBuilder message = new StringBuilder();

          @Override
          public @Nullable CompletionStage<?> onText(
              WebSocket socket, CharSequence data, boolean last) {
            message.append(data);
            if (last) {
              String text = message.toString();
              message.setLength(0);
              try {
                events.accept(Wire.JSON.readTree(text));
              } catch (IOException e) {
                // not an event: nothing to pass on
              }
            }
            socket.request(1);
            return null;
          }

          @Override
          public @Nullable CompletionStage<?> onClose(WebSocket socket, int code, String reason) {
            events.accept(null);
            return null;
          }

          @Override
          public void onError(WebSocket socket, Throwable error) {
            events.accept(null);
          }
        };
    try {
      return http.newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(base.replace("http:", "ws:") + path), listener)
          .get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("the store's watch of " + path + " did not open: " + e, e);
    }
  }

  @Override
  public void close() {
    http.shutdownNow();
  }
}
