package dev.mayfly.store.jdbc;

import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import java.util.List;
import java.util.Optional;

/**
 * A runner's compound steps as one write transaction of several statements: the report-in or the
 * outcomes, then the claim. SQLite's way, where a transaction costs no round trips; PostgreSQL's
 * for outcomes other than successes.
 */
public final class TransactionalSteps implements RunnerSteps {
  private final Dialect db;
  private final Attempts attempts;

  public TransactionalSteps(Dialect db) {
    this.db = db;
    this.attempts = new Attempts(db);
  }

  @Override
  public Optional<List<ClaimedJob>> startAndClaim(ClaimRequest request) {
    return db.write(
        c ->
            ClaimSql.markStarted(c, request.runnerId(), request.now())
                ? Optional.of(ClaimSql.claim(c, db.rowLockClause(), request))
                : Optional.empty());
  }

  @Override
  public FinishedAndClaimed finishAllAndClaim(List<Finished> outcomes, ClaimRequest next) {
    return db.write(
        c ->
            new FinishedAndClaimed(
                attempts.finishAllIn(c, next.runnerId(), outcomes),
                ClaimSql.claim(c, db.rowLockClause(), next)));
  }
}
