package dev.mayfly.launch;

import dev.mayfly.launch.inprocess.InProcessLauncher;
import dev.mayfly.launch.local.LocalLauncher;
import dev.mayfly.launch.local.LocalOptions;
import java.time.InstantSource;
import java.util.Locale;
import java.util.Map;

/** The built-in launchers, and the choice among them. */
public final class Launchers {
  /** Launcher names accepted in configuration. */
  public static final String AUTO = "auto";

  public static final String LOCAL = "local";
  public static final String INPROCESS = "inprocess";

  private Launchers() {}

  /** A new JVM per runner, on this machine, with this JVM's class path. */
  public static Launcher local() {
    return local(LocalOptions.defaults());
  }

  public static Launcher local(LocalOptions options) {
    return new LocalLauncher(options, InstantSource.system());
  }

  /** A virtual thread per runner, in this JVM. */
  public static Launcher inProcess() {
    return new InProcessLauncher(InstantSource.system());
  }

  /** A launcher and why it was chosen, for the startup log. */
  public record Selection(Launcher launcher, String reason) {}

  /**
   * Picks a launcher from configuration and the environment. {@code auto} chooses a platform when
   * its credentials are present and otherwise falls back to {@code local}, as the original Heroku
   * setup fell back to the ordinary queue when not on Heroku.
   */
  public static Selection select(String configured, Map<String, String> env) {
    String name = configured == null ? AUTO : configured.trim().toLowerCase(Locale.ROOT);
    return switch (name) {
      case LOCAL -> new Selection(local(), "configured: local");
      case INPROCESS -> new Selection(inProcess(), "configured: inprocess");
      case AUTO -> {
        boolean heroku =
            env.containsKey("HEROKU_API_KEY")
                && (env.containsKey("HEROKU_APP_NAME") || env.containsKey("HEROKU_APP_ID"));
        yield new Selection(
            local(),
            heroku
                ? "auto: HEROKU_API_KEY is set, but this build has no Heroku launcher yet;"
                    + " using local processes"
                : "auto: no platform credentials (HEROKU_API_KEY and HEROKU_APP_NAME) found;"
                    + " using local processes");
      }
      case "heroku", "kubernetes" ->
          throw new IllegalArgumentException(
              "launcher '"
                  + name
                  + "' is not part of this build yet; use "
                  + LOCAL
                  + ", "
                  + INPROCESS
                  + " or "
                  + AUTO);
      default ->
          throw new IllegalArgumentException(
              "unknown launcher '"
                  + configured
                  + "'; use one of "
                  + AUTO
                  + ", "
                  + LOCAL
                  + ", "
                  + INPROCESS);
    };
  }

  /** True if {@code name} is a launcher name {@link #select} accepts. */
  public static boolean isKnown(String name) {
    return name != null
        && switch (name.trim().toLowerCase(Locale.ROOT)) {
          case AUTO, LOCAL, INPROCESS -> true;
          default -> false;
        };
  }
}
