package dev.mayfly.store;

import java.time.Instant;

/** How an attempt ended, as the store records it. */
public sealed interface Finish {
  Instant at();

  record Succeeded(Instant at) implements Finish {}

  /** Ends the job failed, or dead when it may not be retried. */
  record Failed(Instant at, String error, boolean dead) implements Finish {}

  /** Back to the queue, ready at {@code runAt}; a snooze gives the attempt back. */
  record Requeued(Instant at, Instant runAt, String reason, boolean countsAsAttempt)
      implements Finish {}

  record Discarded(Instant at, String reason) implements Finish {}
}
