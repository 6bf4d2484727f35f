package dev.mayfly.store;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/** How an attempt ended, as the store records it. */
public sealed interface Finish {
  Instant at();

  record Succeeded(Instant at) implements Finish {}

  /**
   * The attempt failed. With {@code retryAt} the job is {@code failed} and runs again then; without
   * it (no attempts left) the job is {@code dead}.
   */
  record Failed(Instant at, String error, @Nullable Instant retryAt) implements Finish {
    public boolean dead() {
      return retryAt == null;
    }
  }

  /** Back to the queue, ready at {@code runAt}; a snooze gives the attempt back. */
  record Requeued(Instant at, Instant runAt, String reason, boolean countsAsAttempt)
      implements Finish {}

  record Discarded(Instant at, String reason) implements Finish {}
}
