package dev.mayfly.store.jdbc;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import java.util.List;
import java.util.Optional;

/**
 * A runner's two compound steps, each a claim riding with something else in one transaction: its
 * report-in, and the recording of what it finished. They are what a runner's throughput is made of,
 * so each database does them its fastest way: a transaction of several statements ({@link
 * TransactionalSteps}), or, on PostgreSQL, one statement and one round trip where it can.
 *
 * <p>The contract is {@link dev.mayfly.store.RunnerQueue#startAndClaim} and {@link
 * dev.mayfly.store.RunnerQueue#finishAllAndClaim}; a refused row is the runner queue's to handle.
 */
public interface RunnerSteps {
  /** Reports the runner in at {@code request.now()} and, if it is the runner, claims. */
  Optional<List<ClaimedJob>> startAndClaim(ClaimRequest request);

  /** Records the outcomes held by {@code next.runnerId()}, then claims {@code next}. */
  FinishedAndClaimed finishAllAndClaim(List<Finished> outcomes, ClaimRequest next);
}
