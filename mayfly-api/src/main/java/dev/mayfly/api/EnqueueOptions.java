package dev.mayfly.api;

import dev.mayfly.internal.names.QueueNames;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How to enqueue one job; immutable, built with withers from {@link #defaults()}.
 *
 * <pre>{@code
 * EnqueueOptions.defaults().queue("mail").priority(5).delay(Duration.ofMinutes(5))
 * }</pre>
 *
 * @param queue the queue whose runners take the job; {@code default} unless set
 * @param priority higher runs first among ready jobs of a queue; 0 unless set
 * @param runAt not before this instant (null: now)
 * @param delay not before now plus this (null: no delay); ignored when {@code runAt} is set
 * @param maxAttempts executions before the job is dead (null: the job type's)
 * @param uniqueKey while a job with this key is queued, running or waiting for a retry, enqueueing
 *     returns that job's id instead of adding another (null: no such rule)
 */
public record EnqueueOptions(
    String queue,
    int priority,
    @Nullable Instant runAt,
    @Nullable Duration delay,
    @Nullable Integer maxAttempts,
    @Nullable String uniqueKey) {

  public static final String DEFAULT_QUEUE = "default";

  public EnqueueOptions {
    Objects.requireNonNull(queue, "queue");
    if (!QueueNames.isValid(queue)) {
      throw new InvalidJobException(QueueNames.problem(queue));
    }
    if (uniqueKey != null && (uniqueKey.isBlank() || uniqueKey.length() > 200)) {
      throw new InvalidJobException(
          "a unique key must be 1 to 200 characters, was '" + uniqueKey + "'");
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw new InvalidJobException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    if (delay != null && delay.isNegative()) {
      throw new InvalidJobException(
          "delay must not be negative, was " + delay + "; use a delay of zero or more");
    }
  }

  public static EnqueueOptions defaults() {
    return new EnqueueOptions(DEFAULT_QUEUE, 0, null, null, null, null);
  }

  public EnqueueOptions queue(String queue) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, uniqueKey);
  }

  public EnqueueOptions priority(int priority) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, uniqueKey);
  }

  public EnqueueOptions runAt(@Nullable Instant runAt) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, uniqueKey);
  }

  public EnqueueOptions delay(@Nullable Duration delay) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, uniqueKey);
  }

  public EnqueueOptions maxAttempts(int n) {
    return new EnqueueOptions(queue, priority, runAt, delay, n, uniqueKey);
  }

  public EnqueueOptions uniqueKey(String key) {
    return new EnqueueOptions(queue, priority, runAt, delay, maxAttempts, key);
  }

  /** When the job becomes ready, given the current time. */
  public Instant readyAt(Instant now) {
    if (runAt != null) {
      return runAt;
    }
    return delay == null ? now : now.plus(delay);
  }
}
