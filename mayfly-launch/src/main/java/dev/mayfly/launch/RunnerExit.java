package dev.mayfly.launch;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * How a runner ended, as its launcher saw it.
 *
 * @param exitCode the process exit code, or null where the platform does not report one
 * @param detail a short explanation, such as "killed at its time-to-live"; for a runner that ended
 *     before it reported in, also what to check (for Heroku: the dyno's name, its Procfile entry,
 *     its logs)
 * @param disrupted the platform ended it for its own reasons (an eviction, a node drain), not
 *     because the runner failed: no reason to back the queue off
 */
public record RunnerExit(@Nullable Integer exitCode, Instant at, String detail, boolean disrupted) {

  public RunnerExit(@Nullable Integer exitCode, Instant at, String detail) {
    this(exitCode, at, detail, false);
  }
}
