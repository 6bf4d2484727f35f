package dev.mayfly.store;

import java.util.List;

/**
 * What {@link RunnerQueue#finishAllAndClaim} did: per outcome, whether it was recorded; and the
 * jobs it claimed next.
 */
public record FinishedAndClaimed(List<Boolean> recorded, List<ClaimedJob> claimed) {
  public FinishedAndClaimed {
    recorded = List.copyOf(recorded);
    claimed = List.copyOf(claimed);
  }
}
