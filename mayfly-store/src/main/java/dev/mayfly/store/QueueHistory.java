package dev.mayfly.store;

import java.time.Duration;

/**
 * What a queue's recent runners measured, for sizing its fleet: medians over its latest runners.
 *
 * @param startup launch to reporting in (the runner's first claim comes right after), or null
 *     before any runner of the queue has started
 * @param jobDuration how long an attempt ran, from its claim to its recorded end, or null before
 *     any attempt has ended
 * @param runners how many runners the figures come from
 */
public record QueueHistory(Duration startup, Duration jobDuration, int runners) {
  public static final QueueHistory NONE = new QueueHistory(null, null, 0);
}
