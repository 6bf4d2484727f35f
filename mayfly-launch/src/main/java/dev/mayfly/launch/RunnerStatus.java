package dev.mayfly.launch;

import org.jspecify.annotations.Nullable;

/** What a launcher knows of a runner's state on its platform. */
public sealed interface RunnerStatus {
  record Alive() implements RunnerStatus {}

  /**
   * @param detail what the platform says of the end, and what to check when a runner ended before
   *     it reported in (for Heroku: the dyno's name, its Procfile entry, its logs); may be empty
   */
  record Exited(@Nullable Integer exitCode, String detail) implements RunnerStatus {
    public Exited(@Nullable Integer exitCode) {
      this(exitCode, exitCode == null ? "" : "exit code " + exitCode);
    }
  }

  /** The platform does not know it (never launched here, or forgotten). */
  record Unknown() implements RunnerStatus {}
}
