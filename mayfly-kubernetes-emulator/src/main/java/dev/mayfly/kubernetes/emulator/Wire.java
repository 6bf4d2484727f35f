package dev.mayfly.kubernetes.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * What the emulated API server writes on the wire: JSON bodies, {@code Status} objects, times as
 * Kubernetes formats them, and HTTP/1.1 answers (every one with its {@code Content-Type}, and
 * {@code Connection: close}: the front serves one request per connection).
 */
final class Wire {
  static final ObjectMapper JSON = new ObjectMapper();

  private Wire() {}

  static ObjectNode object() {
    return JSON.createObjectNode();
  }

  /**
   * A request's body: JSON, or the protobuf kubectl sends some reviews in (see {@link Protobuf}).
   */
  static JsonNode parse(byte[] body) {
    if (Protobuf.is(body)) {
      return Protobuf.json(body);
    }
    try {
      return body.length == 0 ? object() : JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalArgumentException("the body is not JSON: " + e.getMessage(), e);
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A {@code metav1.Time}: RFC 3339 to the second. */
  static String time(Instant at) {
    return at.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  static String now() {
    return time(Instant.now());
  }

  static @Nullable Instant instant(JsonNode time) {
    if (!time.isTextual() || time.asText().isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(time.asText());
    } catch (java.time.format.DateTimeParseException e) {
      return null;
    }
  }

  /** A duration as kubectl shows ages: {@code 42s}, {@code 3m12s}, {@code 5h}, {@code 2d3h}. */
  static String human(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < -1) {
      return "<invalid>";
    } else if (seconds < 0) {
      return "0s";
    } else if (seconds < 120) {
      return seconds + "s";
    }
    long minutes = d.toMinutes();
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 180) {
      return minutes + "m";
    }
    long hours = d.toHours();
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }

  /** How long ago {@code time} was, as kubectl's AGE column shows it. */
  static String age(JsonNode time) {
    Instant at = instant(time);
    return at == null ? "<unknown>" : human(Duration.between(at, Instant.now()));
  }

  /** A failure as the API server describes it. */
  static ObjectNode status(int code, String reason, String message) {
    ObjectNode s = object();
    s.put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure").put("message", message).put("reason", reason).put("code", code);
    return s;
  }

  /** The {@code Status} of a missing object: {@code pods "x" not found}. */
  static ObjectNode notFound(String group, String plural, String name) {
    ObjectNode s =
        status(
            404,
            "NotFound",
            plural + (group.isEmpty() ? "" : "." + group) + " \"" + name + "\" not found");
    s.putObject("details").put("name", name).put("group", group).put("kind", plural);
    return s;
  }

  static ObjectNode success() {
    ObjectNode s = object();
    s.put("kind", "Status").put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Success");
    return s;
  }

  static void reply(OutputStream out, int code, JsonNode body) throws IOException {
    reply(out, code, "application/json", bytes(body));
  }

  static void reply(OutputStream out, int code, String contentType, byte[] body)
      throws IOException {
    out.write(
        ("HTTP/1.1 "
                + code
                + " "
                + reason(code)
                + "\r\nContent-Type: "
                + contentType
                + "\r\nContent-Length: "
                + body.length
                + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.write(body);
    out.flush();
  }

  /** Starts a streamed answer: chunks follow, then {@link #end}. */
  static void startStream(OutputStream out, String contentType) throws IOException {
    out.write(
        ("HTTP/1.1 200 OK\r\nContent-Type: "
                + contentType
                + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  static void chunk(OutputStream out, byte[] bytes) throws IOException {
    if (bytes.length == 0) {
      return;
    }
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  static void end(OutputStream out) throws IOException {
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  private static String reason(int code) {
    return switch (code) {
      case 200 -> "OK";
      case 201 -> "Created";
      case 202 -> "Accepted";
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 406 -> "Not Acceptable";
      case 409 -> "Conflict";
      case 415 -> "Unsupported Media Type";
      case 422 -> "Unprocessable Entity";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 503 -> "Service Unavailable";
      default -> "Status";
    };
  }
}
