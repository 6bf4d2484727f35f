package dev.mayfly.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a runner (one one-off process) is in its life.
 *
 * <pre>
 *   launching --> running --> exited
 *       |            \------> lost     (stopped heartbeating; its jobs went back to the queue)
 *       \-----------------> failed    (the launcher could not start it)
 * </pre>
 */
public enum RunnerState {
  LAUNCHING,
  RUNNING,
  EXITED,
  FAILED,
  LOST;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isAlive() {
    return this == LAUNCHING || this == RUNNING;
  }
}
