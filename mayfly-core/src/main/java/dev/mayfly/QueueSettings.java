package dev.mayfly;

import dev.mayfly.internal.Durations;
import dev.mayfly.protocol.RunnerSettings;
import java.time.Duration;
import java.util.List;

/** Parses queue settings from configuration files and command lines. */
final class QueueSettings {
  static final List<String> NAMES =
      List.of(
          "max-runners",
          "jobs-per-runner",
          "idle-exit",
          "idle-min",
          "idle-max",
          "target-wait",
          "time-to-live",
          "launcher",
          "size",
          "claim-batch",
          "command");

  private QueueSettings() {}

  static QueueConfig named(QueueConfig defaults, String queue, String source) {
    try {
      return defaults.named(queue);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": queue." + queue + ": " + e.getMessage(), e);
    }
  }

  static QueueConfig apply(QueueConfig q, String setting, String value, String source, String key) {
    try {
      return switch (setting) {
        case "max-runners" -> q.maxRunners(integer(value, source, key));
        case "jobs-per-runner" -> q.jobsPerRunner(integer(value, source, key));
        case "idle-exit" -> q.idleExit(duration(value, source, key));
        // Either bound may come first in a file: one moves the other only where they would cross.
        case "idle-min" -> {
          Duration min = duration(value, source, key);
          yield q.idleBounds(min, max(min, q.idleMax()));
        }
        case "idle-max" -> {
          Duration max = duration(value, source, key);
          yield q.idleBounds(min(max, q.idleMin()), max);
        }
        case "target-wait" -> q.targetWait(duration(value, source, key));
        case "time-to-live" -> q.timeToLive(duration(value, source, key));
        case "launcher" -> q.launcher(value);
        case "size" -> q.size(value);
        case "claim-batch" -> q.claimBatch(claimBatch(value, source, key));
        case "command" -> q.command(value);
        default ->
            throw new IllegalArgumentException(
                "unknown queue setting '" + setting + "'; use one of " + NAMES);
      };
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(source)) {
        throw e;
      }
      throw new IllegalArgumentException(source + ": " + key + ": " + e.getMessage(), e);
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static int integer(String value, String source, String key) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          source + ": " + key + " must be a whole number, was '" + value + "'", e);
    }
  }

  private static int claimBatch(String value, String source, String key) {
    try {
      return RunnerSettings.claimBatch(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + key + " " + e.getMessage(), e);
    }
  }

  /** {@code 500ms}, {@code 2s}, {@code 10m}, {@code 1h}, {@code 1d} or ISO-8601 ({@code PT2S}). */
  static Duration duration(String value, String source, String key) {
    try {
      return Durations.parse(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + key + ": " + e.getMessage(), e);
    }
  }
}
