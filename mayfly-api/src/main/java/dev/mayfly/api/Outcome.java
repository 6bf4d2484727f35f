package dev.mayfly.api;

import java.time.Duration;
import java.util.Objects;

/** What a job decided, as a value. Throwing is different: it always means "this attempt failed". */
public sealed interface Outcome {

  /** The job is done. */
  static Outcome success() {
    return Success.INSTANCE;
  }

  /** Run again after {@code delay}; this attempt counts. */
  static Outcome retry(Duration delay, String reason) {
    return new Retry(delay, reason);
  }

  /** Not now: run again after {@code delay} without counting this attempt. */
  static Outcome snooze(Duration delay) {
    return new Snooze(delay);
  }

  /** Give up on purpose; the job ends {@code cancelled} with the reason stored. */
  static Outcome discard(String reason) {
    return new Discard(reason);
  }

  record Success() implements Outcome {
    static final Success INSTANCE = new Success();
  }

  record Retry(Duration delay, String reason) implements Outcome {
    public Retry {
      requireNonNegative(delay);
      Objects.requireNonNull(reason, "reason");
    }
  }

  record Snooze(Duration delay) implements Outcome {
    public Snooze {
      requireNonNegative(delay);
    }
  }

  record Discard(String reason) implements Outcome {
    public Discard {
      Objects.requireNonNull(reason, "reason");
    }
  }

  private static void requireNonNegative(Duration delay) {
    if (delay == null || delay.isNegative()) {
      throw new IllegalArgumentException("delay must be zero or positive, was " + delay);
    }
  }
}
