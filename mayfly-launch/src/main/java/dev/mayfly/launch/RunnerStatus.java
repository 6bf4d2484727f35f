package dev.mayfly.launch;

import org.jspecify.annotations.Nullable;

/** What a launcher knows of a runner's state on its platform. */
public sealed interface RunnerStatus {
  record Alive() implements RunnerStatus {}

  record Exited(@Nullable Integer exitCode) implements RunnerStatus {}

  /** The platform does not know it (never launched here, or forgotten). */
  record Unknown() implements RunnerStatus {}
}
