package dev.mayfly.kubernetes.emulator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One HTTP/1.1 request as the front read it: method, path, query, headers (by lower-case name) and
 * body.
 */
@SuppressWarnings("ArrayRecordComponent") // the body is read once, never compared
record ApiRequest(
    String method,
    String path,
    Map<String, String> query,
    Map<String, List<String>> headers,
    byte[] body) {
  private static final int MAX_BODY = 16 << 20;

  /** The request whose line and headers are {@code head}, its body read from {@code in}. */
  static ApiRequest read(byte[] head, InputStream in) throws IOException {
    String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n", -1);
    String[] requestLine = lines[0].split(" ", -1);
    if (requestLine.length < 2) {
      throw new IOException("not an HTTP request: " + lines[0]);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers
            .computeIfAbsent(
                lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    String target = requestLine[1];
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> query = query(q < 0 ? null : target.substring(q + 1));
    byte[] body = body(headers, in);
    return new ApiRequest(
        requestLine[0].toUpperCase(Locale.ROOT),
        URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8),
        query,
        headers,
        body);
  }

  static Map<String, String> query(@Nullable String query) {
    Map<String, String> params = new LinkedHashMap<>();
    if (query != null && !query.isEmpty()) {
      for (String pair : query.split("&", -1)) {
        String[] kv = pair.split("=", 2);
        params.put(
            URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
            kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
      }
    }
    return params;
  }

  private static byte[] body(Map<String, List<String>> headers, InputStream in) throws IOException {
    List<String> length = headers.get("content-length");
    if (length != null) {
      int n = Integer.parseInt(length.getFirst());
      if (n > MAX_BODY) {
        throw new IOException("request body over " + MAX_BODY + " bytes");
      }
      return in.readNBytes(n);
    }
    List<String> encoding = headers.get("transfer-encoding");
    if (encoding == null || !encoding.getFirst().toLowerCase(Locale.ROOT).contains("chunked")) {
      return new byte[0];
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      int semi = size.indexOf(';');
      int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
      if (n == 0) {
        while (!line(in).isEmpty()) {
          // trailers
        }
        return body.toByteArray();
      }
      if (body.size() + n > MAX_BODY) {
        throw new IOException("request body over " + MAX_BODY + " bytes");
      }
      body.write(in.readNBytes(n));
      line(in);
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the request ended inside its body");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Nullable String header(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null ? null : values.getFirst();
  }

  List<String> headerValues(String name) {
    return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
  }

  @Nullable String param(String name) {
    return query.get(name);
  }

  /** A boolean query parameter as Go's {@code strconv.ParseBool} reads it ({@code True} too). */
  boolean flag(String name) {
    String v = query.get(name);
    return v != null && List.of("1", "t", "T", "true", "TRUE", "True").contains(v);
  }

  /** Whether the client asked for a server-side {@code Table} (as {@code kubectl get} does). */
  boolean wantsTable() {
    String accept = header("accept");
    return accept != null && accept.replace(" ", "").contains(";as=Table");
  }
}
