package dev.mayfly.launch;

import java.time.InstantSource;
import java.util.Map;

/**
 * A launcher living in its own module (Heroku, Kubernetes), found with {@link
 * java.util.ServiceLoader} so that Mayfly can offer it by name (and pick it for {@code auto})
 * without depending on it.
 */
public interface LauncherProvider {

  /** The name queues use to ask for it, such as {@code heroku}. */
  String name();

  /** True if {@code env} holds what this platform needs (for {@code auto} selection). */
  boolean isConfigured(Map<String, String> env);

  /**
   * Creates the launcher from {@code env}.
   *
   * @param clock the time the launcher reports runner exits at
   * @throws IllegalArgumentException naming the missing or bad variables
   */
  Launcher create(Map<String, String> env, InstantSource clock);
}
