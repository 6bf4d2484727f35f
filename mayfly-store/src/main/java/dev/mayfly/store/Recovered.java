package dev.mayfly.store;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one {@link Fleet#recover} pass did.
 *
 * @param lost the runners declared lost in this pass, so their launchers can stop them if they are
 *     in fact still there (frozen, cut off from the database)
 */
public record Recovered(int jobsRequeued, List<LostRunner> lost) {

  /** A runner declared lost: where it ran, to stop it. */
  public record LostRunner(String id, String queue, String launcher, @Nullable String platformId) {}

  public int runnersLost() {
    return lost.size();
  }

  public boolean any() {
    return jobsRequeued > 0 || !lost.isEmpty();
  }
}
