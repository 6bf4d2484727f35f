package dev.mayfly;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each queue may launch again after launches went wrong, and which troubles were already said:
 * a failed launch backs its queue off (doubling from 0.5 s to {@link #MAX_BACKOFF}), a full
 * platform pauses it for {@link #AT_CAPACITY}, a configuration error for {@link #MISCONFIGURED}; a
 * runner that reports in clears all of it. The dispatcher says each trouble at ERROR once, then
 * quietly, until a runner of the queue reports in again.
 */
final class LaunchPauses {
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  static final Duration AT_CAPACITY = Duration.ofSeconds(1);

  /** A launcher's configuration was refused: nothing changes until a person acts. */
  static final Duration MISCONFIGURED = Duration.ofMinutes(5);

  private final InstantSource clock;
  private final Map<String, Backoff> backoffs = new ConcurrentHashMap<>();

  /** Queues whose runners died before reporting in, said once until one reports in. */
  private final Set<String> earlyDeaths = ConcurrentHashMap.newKeySet();

  /** Queues whose runners opened another database than the dispatcher's, likewise. */
  private final Set<String> wrongStores = ConcurrentHashMap.newKeySet();

  private record Backoff(int failures, Instant until) {}

  LaunchPauses(InstantSource clock) {
    this.clock = clock;
  }

  /** Whether launches for {@code queue} wait at {@code now}. */
  boolean paused(String queue, Instant now) {
    Backoff b = backoffs.get(queue);
    return b != null && now.isBefore(b.until);
  }

  /** Holds launches for {@code queue} for {@code d} (or longer, if already held longer). */
  Duration pause(String queue, Duration d) {
    Instant until = clock.instant().plus(d);
    backoffs.merge(
        queue,
        new Backoff(0, until),
        (old, fresh) -> old.until.isAfter(until) ? old : new Backoff(old.failures, until));
    return d;
  }

  /**
   * One more failure for {@code queue}: the next launch waits twice as long as the last, capped.
   */
  Duration backOff(String queue) {
    Backoff b =
        backoffs.compute(
            queue,
            (q, old) -> {
              int failures = old == null ? 1 : old.failures + 1;
              long millis = Math.min(MAX_BACKOFF.toMillis(), 500L << Math.min(failures - 1, 10));
              return new Backoff(failures, clock.instant().plusMillis(millis));
            });
    return Duration.between(clock.instant(), b.until);
  }

  /** A runner of {@code queue} ran: its launches are not failing. */
  void succeeded(String queue) {
    backoffs.remove(queue);
  }

  /**
   * A runner of {@code queue} reported in: clears its pauses and what was said. True if its early
   * deaths had been said, so that the recovery is said too.
   */
  boolean reportedIn(String queue) {
    wrongStores.remove(queue);
    backoffs.remove(queue);
    return earlyDeaths.remove(queue);
  }

  /** Records an early death of a runner of {@code queue}; true the first time until it recovers. */
  boolean firstEarlyDeath(String queue) {
    return earlyDeaths.add(queue);
  }

  /** Records a runner of {@code queue} on another database; true the first time likewise. */
  boolean firstWrongStore(String queue) {
    return wrongStores.add(queue);
  }
}
