package dev.mayfly.store.jdbc;

import dev.mayfly.store.NewJob;

/** The columns a new job is inserted with, the same on every database. */
public final class JobColumns {
  private JobColumns() {}

  /** The columns a new job is inserted with; {@link #VALUES} and {@link #values}. */
  public static final String COLUMNS =
      "type, queue, args, state, priority, run_at, timeout_ms, max_attempts, enqueued_at";

  /** The placeholders of {@link #COLUMNS}: a new job is queued. */
  public static final String VALUES = "?, ?, ?, 'queued', ?, ?, ?, ?, ?";

  /** The parameters of {@link #VALUES}, in order. */
  public static Object[] values(NewJob j) {
    return new Object[] {
      j.type(),
      j.queue(),
      j.args(),
      j.priority(),
      j.runAt().toEpochMilli(),
      j.timeout().toMillis(),
      j.maxAttempts(),
      j.enqueuedAt().toEpochMilli()
    };
  }
}
