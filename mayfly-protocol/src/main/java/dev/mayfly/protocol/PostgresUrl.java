package dev.mayfly.protocol;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A PostgreSQL address in either form users have: {@code jdbc:postgresql://host:port/db?...} or the
 * {@code postgres://user:password@host:port/db?sslmode=require} form Heroku puts in {@code
 * DATABASE_URL}. Query parameters (sslmode, currentSchema, ...) are passed to the driver.
 */
public record PostgresUrl(
    String jdbcUrl, @Nullable String user, @Nullable String password, String display) {

  public static boolean matches(String url) {
    String l = url.toLowerCase(Locale.ROOT);
    return l.startsWith("postgres://")
        || l.startsWith("postgresql://")
        || l.startsWith("jdbc:postgresql:");
  }

  public static PostgresUrl parse(String url) {
    String raw = url.trim();
    boolean jdbc = raw.toLowerCase(Locale.ROOT).startsWith("jdbc:");
    URI uri;
    try {
      uri = new URI(jdbc ? raw.substring("jdbc:".length()) : raw);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "cannot read the PostgreSQL URL: "
              + e.getReason()
              + "; write it as postgres://USER:PASSWORD@HOST:5432/DB or"
              + " jdbc:postgresql://HOST:5432/DB?user=USER",
          e);
    }
    if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
      throw new IllegalArgumentException(
          "the PostgreSQL URL needs a host and a database name, as in"
              + " postgres://USER:PASSWORD@HOST:5432/DB");
    }
    Map<String, String> params = new LinkedHashMap<>();
    if (uri.getRawQuery() != null) {
      for (String pair : uri.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        params.put(k, v);
      }
    }
    String user = params.remove("user");
    String password = params.remove("password");
    if (uri.getRawUserInfo() != null) {
      String info = uri.getRawUserInfo();
      int colon = info.indexOf(':');
      user = decode(colon < 0 ? info : info.substring(0, colon));
      password = colon < 0 ? null : decode(info.substring(colon + 1));
    }
    StringBuilder jdbcUrl =
        new StringBuilder("jdbc:postgresql://")
            .append(uri.getHost())
            .append(':')
            .append(uri.getPort() < 0 ? 5432 : uri.getPort())
            .append(uri.getPath());
    String sep = "?";
    for (var e : params.entrySet()) {
      jdbcUrl.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = "&";
    }
    String display =
        "postgresql://"
            + (user == null ? "" : user + "@")
            + uri.getHost()
            + ":"
            + (uri.getPort() < 0 ? 5432 : uri.getPort())
            + uri.getPath();
    return new PostgresUrl(jdbcUrl.toString(), user, password, display);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return display; // never the password
  }
}
