package dev.mayfly.heroku.emulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mayfly.internal.jobs.Json;
import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * The one account and app the emulator serves: the app's name, config vars and Procfile (from the
 * {@link HerokuEmulator.Options}), what a test may change while it runs (its generation and tier,
 * the folder its dynos run in), and how the API describes both.
 */
final class App {
  /** The one account and app the emulator serves, with fixed ids. */
  private static final String ACCOUNT_ID = "00000000-0000-0000-0000-0000000000ac";

  static final String ID = "00000000-0000-0000-0000-0000000000aa";

  private final HerokuEmulator.Options options;
  private volatile boolean fir;
  private volatile String tier = "standard";
  private volatile @Nullable Path slug;

  App(HerokuEmulator.Options options) {
    this.options = options;
  }

  String name() {
    return options.app();
  }

  HerokuEmulator.Options options() {
    return options;
  }

  /** A Fir (Cloud Native Buildpacks) app or a Cedar one, on {@code tier}. */
  void platform(boolean fir, String tier) {
    this.fir = fir;
    this.tier = tier;
  }

  /** The folder dynos run in; null for the emulator's own working directory. */
  void slug(Path dir) {
    this.slug = dir;
  }

  @Nullable Path slug() {
    return slug;
  }

  /** Procfile substitution: a first token naming a process type is replaced by its command. */
  String resolve(String command) {
    String c = command.trim();
    if (fir && c.startsWith("launcher ")) {
      c = c.substring("launcher ".length()).trim(); // the CNB launcher runs the process type
    }
    String[] parts = c.split("\\s+", 2);
    String type = options.processTypes().get(parts[0]);
    return type == null ? c : type + (parts.length > 1 ? " " + parts[1] : "");
  }

  /** The fields of an Account that Heroku's CLI reads ({@code heroku ps}, {@code heroku run}). */
  static ObjectNode account() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", ACCOUNT_ID);
    n.put("email", "emulator@mayfly.invalid");
    n.put("name", "Mayfly's Heroku emulator");
    n.put("two_factor_authentication", false);
    n.put("verified", true);
    return n;
  }

  /**
   * The fields of an App that Heroku's CLI reads: a Cedar app on the {@code heroku-24} stack
   * ({@code cnb} would make {@code heroku run} prefix {@code launcher}), Standard tier.
   */
  ObjectNode info() {
    ObjectNode n = Json.mapper().createObjectNode();
    n.put("id", ID);
    n.put("name", options.app());
    n.putObject("owner").put("id", ACCOUNT_ID).put("email", "emulator@mayfly.invalid");
    n.putObject("stack")
        .put("id", "00000000-0000-0000-0000-000000000024")
        .put("name", fir ? "cnb" : "heroku-24");
    n.putObject("generation").put("name", fir ? "fir" : "cedar");
    n.putObject("region").put("id", "00000000-0000-0000-0000-0000000000e0").put("name", "us");
    n.put("process_tier", tier);
    n.putNull("space");
    n.put("web_url", "https://" + options.app() + ".herokuapp.com/");
    return n;
  }
}
