package dev.mayfly;

import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.LauncherProvider;
import dev.mayfly.launch.inprocess.InProcessLauncher;
import dev.mayfly.launch.local.LocalLauncher;
import dev.mayfly.launch.local.LocalOptions;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.LongSupplier;

/**
 * The choice of a queue's launcher: the built-ins by name, platforms found through {@link
 * LauncherProvider}, or {@code auto}.
 */
final class Launchers {
  /** Launcher names accepted in configuration. */
  static final String AUTO = "auto";

  static final String LOCAL = "local";
  static final String INPROCESS = "inprocess";

  private Launchers() {}

  /** A launcher and why it was chosen, for the startup log. */
  record Selection(Launcher launcher, String reason) {}

  /**
   * Picks a launcher from configuration and the environment. {@code auto} chooses a platform whose
   * credentials are present (Heroku: {@code HEROKU_API_KEY} and {@code HEROKU_APP_NAME}) and
   * otherwise falls back to {@code local}, as the original Heroku setup fell back to the ordinary
   * queue when not on Heroku.
   *
   * @param clock what the launcher stamps runner exits with: Mayfly's clock, so a test that sets
   *     the time sees one time everywhere
   * @param ticker what the launcher measures intervals with: Mayfly's ticker, likewise
   * @param registered launchers the app registered: one under the name {@code auto} picks (a
   *     container's own {@code local}) stands in for the built-in one
   */
  static Selection select(
      String configured,
      Map<String, String> env,
      InstantSource clock,
      LongSupplier ticker,
      Map<String, Launcher> registered) {
    String name = configured == null ? AUTO : configured.trim().toLowerCase(Locale.ROOT);
    switch (name) {
      case LOCAL:
        return new Selection(local(clock, registered), "configured: local");
      case INPROCESS:
        return new Selection(new InProcessLauncher(clock, ticker), "configured: inprocess");
      case AUTO:
        for (LauncherProvider p : providers()) {
          if (p.isConfigured(env)) {
            return new Selection(
                registered.containsKey(p.name())
                    ? registered.get(p.name())
                    : p.create(env, clock, ticker),
                "auto: " + p.name() + " credentials found");
          }
        }
        return new Selection(
            local(clock, registered),
            "auto: no platform credentials (HEROKU_API_KEY and HEROKU_APP_NAME, or"
                + " MAYFLY_KUBERNETES_IMAGE with KUBECONFIG or a pod's service account) found;"
                + " using local processes");
      default:
        for (LauncherProvider p : providers()) {
          if (p.name().equals(name)) {
            return new Selection(p.create(env, clock, ticker), "configured: " + name);
          }
        }
        throw new IllegalArgumentException(
            "unknown launcher '" + configured + "'; use one of " + String.join(", ", names()));
    }
  }

  private static Launcher local(InstantSource clock, Map<String, Launcher> registered) {
    Launcher own = registered.get(LOCAL);
    return own != null ? own : new LocalLauncher(LocalOptions.defaults(), clock);
  }

  /** True if {@code name} is a launcher name {@link #select} accepts. */
  static boolean isKnown(String name) {
    return name != null && names().contains(name.trim().toLowerCase(Locale.ROOT));
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>(List.of(AUTO, LOCAL, INPROCESS));
    providers().forEach(p -> names.add(p.name()));
    return names;
  }

  private static List<LauncherProvider> providers() {
    List<LauncherProvider> list = new ArrayList<>();
    ServiceLoader.load(LauncherProvider.class, Launchers.class.getClassLoader()).forEach(list::add);
    return list;
  }
}
