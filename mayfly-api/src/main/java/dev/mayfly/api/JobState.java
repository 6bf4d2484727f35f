package dev.mayfly.api;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a job is in its life. {@code scheduled} is a queued job whose run-at time is still ahead.
 *
 * <pre>
 *   scheduled --(run-at passes)--> queued --(claimed)--> running --> succeeded
 *                                    ^                      |  |  \-> cancelled (discarded, or
 *                                    |                      |  |       cancelled while queued)
 *                                    +--(retry / snooze /---+  +--(threw, timed out)--> failed
 *                                    |   runner lost)                                     |
 *                                    +----------(retry time comes, attempts left)---------+
 *                                                           no attempts left --> dead
 * </pre>
 *
 * {@code failed} jobs wait for their retry; {@code dead} ones ran out of attempts and keep every
 * attempt's error.
 */
public enum JobState {
  QUEUED,
  SCHEDULED,
  RUNNING,
  SUCCEEDED,
  FAILED,
  DEAD,
  CANCELLED;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean isFinished() {
    return this == SUCCEEDED || this == FAILED || this == DEAD || this == CANCELLED;
  }

  /** Parses a wire name, with an error that lists the valid ones. */
  public static JobState parse(String name) {
    for (JobState s : values()) {
      if (s.wireName().equalsIgnoreCase(name)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown job state '"
            + name
            + "'; use one of "
            + Arrays.stream(values()).map(JobState::wireName).collect(Collectors.joining(", ")));
  }
}
