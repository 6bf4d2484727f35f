package dev.mayfly.dashboard;

import dev.mayfly.MayflyConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Where the dashboard listens and who may use it.
 *
 * <p>By default it listens on 127.0.0.1 only and asks for no credentials. Listening on any other
 * address requires credentials: a user name and password (HTTP basic authentication, what a browser
 * asks for), an API token (sent as {@code Authorization: Bearer TOKEN} by scripts), or both.
 *
 * @param bind the address to listen on
 * @param port the port; 0 picks a free one
 * @param basePath where the dashboard lives in the server's URL space, such as {@code /mayfly} when
 *     mounted in an app; empty for the root
 * @param username with {@code password}, for basic authentication; null for none
 * @param password never logged, rendered or returned by the API
 * @param apiToken for scripts; requests carrying it need no CSRF token; null for none
 */
public record DashboardSettings(
    String bind,
    int port,
    String basePath,
    @Nullable String username,
    @Nullable String password,
    @Nullable String apiToken) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 7070;

  public DashboardSettings {
    bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind.trim();
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("dashboard port must be 0-65535, was " + port);
    }
    basePath = normalizeBasePath(basePath);
    username = blankToNull(username);
    password = blankToNull(password);
    apiToken = blankToNull(apiToken);
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException(
          "dashboard: set both dashboard.username and dashboard.password (or"
              + " MAYFLY_DASHBOARD_PASSWORD), or neither");
    }
  }

  public static DashboardSettings defaults() {
    return new DashboardSettings(DEFAULT_BIND, DEFAULT_PORT, "", null, null, null);
  }

  /**
   * The settings in Mayfly's configuration ({@code dashboard.bind}, {@code dashboard.port}, {@code
   * dashboard.username}, {@code dashboard.password}, {@code dashboard.token}); secrets may instead
   * come from the environment ({@code MAYFLY_DASHBOARD_PASSWORD}, {@code MAYFLY_DASHBOARD_TOKEN}),
   * which wins.
   */
  public static DashboardSettings from(MayflyConfig config) {
    Map<String, String> m = config.modules();
    Map<String, String> env = config.environment();
    int port = DEFAULT_PORT;
    String p = m.get("dashboard.port");
    if (p != null) {
      try {
        port = Integer.parseInt(p.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("dashboard.port must be a number, was '" + p + "'");
      }
    }
    return new DashboardSettings(
        m.getOrDefault("dashboard.bind", DEFAULT_BIND),
        port,
        "",
        env.getOrDefault("MAYFLY_DASHBOARD_USERNAME", m.get("dashboard.username")),
        env.getOrDefault("MAYFLY_DASHBOARD_PASSWORD", m.get("dashboard.password")),
        env.getOrDefault("MAYFLY_DASHBOARD_TOKEN", m.get("dashboard.token")));
  }

  public DashboardSettings withBind(String b) {
    return new DashboardSettings(b, port, basePath, username, password, apiToken);
  }

  public DashboardSettings withPort(int p) {
    return new DashboardSettings(bind, p, basePath, username, password, apiToken);
  }

  public DashboardSettings withBasePath(String path) {
    return new DashboardSettings(bind, port, path, username, password, apiToken);
  }

  public DashboardSettings withLogin(String user, String pass) {
    return new DashboardSettings(bind, port, basePath, user, pass, apiToken);
  }

  public DashboardSettings withApiToken(String token) {
    return new DashboardSettings(bind, port, basePath, username, password, token);
  }

  public boolean hasCredentials() {
    return password != null || apiToken != null;
  }

  /** True if {@code host} names only this machine (127.0.0.0/8, ::1, localhost). */
  static boolean isLoopback(String host) {
    if (host == null || host.isBlank()) {
      return false; // Jetty's default: every interface
    }
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("dashboard: cannot resolve bind address '" + host + "'");
    }
  }

  /** Refuses to expose the dashboard beyond this machine without credentials. */
  void checkExposure(String host) {
    if (!isLoopback(host) && !hasCredentials()) {
      throw new IllegalStateException(
          "dashboard: refusing to listen on "
              + (host == null || host.isBlank() ? "every interface" : host)
              + " without credentials: anyone who reaches it could retry and cancel jobs."
              + " Set dashboard.username and dashboard.password (or MAYFLY_DASHBOARD_PASSWORD),"
              + " or dashboard.token (or MAYFLY_DASHBOARD_TOKEN); or listen on 127.0.0.1.");
    }
  }

  private static String normalizeBasePath(@Nullable String p) {
    if (p == null || p.isBlank() || p.equals("/")) {
      return "";
    }
    String s = p.trim();
    if (!s.matches("(/[A-Za-z0-9._~-]+)+/?")) {
      throw new IllegalArgumentException(
          "dashboard base path must look like /mayfly or /admin/jobs, was '" + p + "'");
    }
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Secrets stay out of logs and error messages. */
  @Override
  public String toString() {
    return "DashboardSettings[bind="
        + bind
        + ", port="
        + port
        + ", basePath="
        + basePath
        + ", login="
        + (password == null ? "none" : username + ":****")
        + ", apiToken="
        + (apiToken == null ? "none" : "****")
        + "]";
  }
}
