package dev.mayfly.store;

import java.util.List;

/**
 * What {@link Intake#retryDead} did.
 *
 * @param retried the dead jobs sent back to the queue, by id
 * @param refused the dead jobs left dead because a live job holds their unique key
 */
public record RetriedDead(List<Long> retried, List<KeyHeld> refused) {
  public RetriedDead {
    retried = List.copyOf(retried);
    refused = List.copyOf(refused);
  }
}
