package dev.mayfly.launch;

import java.time.InstantSource;
import java.util.Map;
import java.util.function.LongSupplier;

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
   * Creates the launcher from {@code env}. The launcher reads time only from {@code clock} and
   * {@code ticker} (Mayfly's configured ones), never the machine's clocks, so a test that sets the
   * time sees it in the launcher too.
   *
   * @param clock the time the launcher reports runner exits at
   * @param ticker nanoseconds from a monotonic source, for intervals the launcher measures (how
   *     long since it last read something, how soon a stream broke)
   * @throws IllegalArgumentException naming the missing or bad variables
   */
  Launcher create(Map<String, String> env, InstantSource clock, LongSupplier ticker);
}
