package dev.mayfly.store;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * What a queue's recent runners measured, for sizing its fleet: medians over its latest runners.
 *
 * @param startup launch to reporting in (the runner's first claim comes right after), or null
 *     before any runner of the queue has started
 * @param jobDuration how long an attempt ran, from its claim to its recorded end, or null before
 *     any attempt has ended
 * @param runners how many runners the figures come from
 * @param runningFor while {@code jobDuration} is null: how long the queue's oldest running attempt
 *     has run so far, a lower bound on the job duration; null when none runs or once a duration is
 *     measured
 */
public record QueueHistory(
    @Nullable Duration startup,
    @Nullable Duration jobDuration,
    int runners,
    @Nullable Duration runningFor) {
  public static final QueueHistory NONE = new QueueHistory(null, null, 0, null);

  public QueueHistory(@Nullable Duration startup, @Nullable Duration jobDuration, int runners) {
    this(startup, jobDuration, runners, null);
  }
}
