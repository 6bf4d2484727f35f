package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.dashboard.Dashboard;
import dev.mayfly.dashboard.DashboardSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** The options of commands that serve the dashboard beside dispatching. */
final class DashboardOptions {
  @Option(
      names = "--port",
      paramLabel = "P",
      description = "Dashboard port (default: dashboard.port, else 7070; 0 picks a free one)")
  @Nullable Integer port;

  @Option(
      names = "--bind",
      paramLabel = "ADDR",
      description = "Dashboard address (default: 127.0.0.1); any other needs dashboard credentials")
  @Nullable String bind;

  @Option(names = "--no-dashboard", description = "Dispatch only; serve no dashboard")
  boolean off;

  /**
   * Starts the dashboard, or returns null with --no-dashboard.
   *
   * @param fallBackToFreePort when the port was not chosen explicitly and is taken, use a free one
   *     instead of failing (for the demo, which should just work)
   */
  @Nullable Dashboard start(Mayfly mayfly, boolean fallBackToFreePort) {
    if (off) {
      return null;
    }
    DashboardSettings s = settings(mayfly.config());
    if (port == null && fallBackToFreePort && !free(s.bind(), s.port())) {
      s = s.withPort(0);
    }
    try {
      return Dashboard.start(mayfly, s);
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (RuntimeException e) {
      if (hasCause(e, java.net.BindException.class)) {
        throw new IllegalArgumentException(
            "dashboard: cannot listen on "
                + s.bind()
                + ":"
                + s.port()
                + " (in use?); choose another with --port, or --no-dashboard",
            e);
      }
      throw e;
    }
  }

  /**
   * Checks the options (a port out of range, say) before anything is opened, so that a command
   * refused for them leaves no store behind.
   */
  void check(MayflyConfig config) {
    if (!off) {
      settings(config);
    }
  }

  private DashboardSettings settings(MayflyConfig config) {
    DashboardSettings s = DashboardSettings.from(config);
    if (bind != null) {
      s = s.withBind(bind);
    }
    return port != null ? s.withPort(port) : s;
  }

  private static boolean free(String bind, int port) {
    try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(bind))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return true;
      }
    }
    return false;
  }
}
