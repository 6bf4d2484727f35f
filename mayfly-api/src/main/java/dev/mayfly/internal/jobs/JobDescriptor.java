package dev.mayfly.internal.jobs;

import dev.mayfly.api.Job;
import java.lang.reflect.InvocationTargetException;
import java.time.Duration;

/** What Mayfly knows of one job type: its stable name, its class, its argument record, limits. */
public record JobDescriptor(
    String name,
    Class<? extends Job<?>> jobClass,
    Class<? extends Record> argsType,
    Duration timeout,
    int maxAttempts,
    Duration backoff) {

  /** The delay before retrying after failed attempt {@code attempt} (1-based), with jitter. */
  public Duration retryDelay(int attempt, double random) {
    double base = backoff.toMillis() * Math.pow(2, Math.min(attempt - 1, 20));
    double jittered = Math.min(base, 3_600_000) * (0.75 + 0.5 * random);
    return Duration.ofMillis((long) jittered);
  }

  /** A fresh instance for one execution. */
  @SuppressWarnings("unchecked")
  public Job<Record> newInstance() {
    try {
      return (Job<Record>) jobClass.getDeclaredConstructor().newInstance();
    } catch (InvocationTargetException e) {
      throw new IllegalStateException(
          "constructor of job type '" + name + "' (" + jobClass.getName() + ") threw",
          e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "cannot create job type '"
              + name
              + "': "
              + jobClass.getName()
              + " needs a public no-argument constructor",
          e);
    }
  }
}
