package dev.mayfly.store;

import dev.mayfly.api.JobInfo;
import java.sql.Connection;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Making jobs and managing them: what an app's API, the CLI and the dashboard's admin actions do. A
 * job with a unique key is made once while a live job (queued, running or failed) holds that key:
 * enqueuing it again returns the live job's id.
 *
 * <p>Contract tests: {@code IntakeContract} in this module's test jar.
 */
public interface Intake {

  /** Stores a job ready at {@code job.runAt()}; returns its id. */
  long enqueue(NewJob job);

  /** Stores many jobs in one transaction; all or none. Returns their ids in order. */
  List<Long> enqueueAll(List<NewJob> jobs);

  /**
   * Inserts jobs through the caller's connection to this store's database, inside its open
   * transaction, and returns their ids: they exist, and runners are told of them, only if that
   * transaction commits. The connection is neither committed nor closed.
   *
   * @throws StoreException if the inserts failed; the caller's transaction is then for the caller
   *     to roll back
   */
  List<Long> enqueueAllOn(Connection connection, List<NewJob> jobs);

  /** Asks to cancel: a queued job is cancelled at once; a running one is flagged for its runner. */
  Optional<JobInfo> cancel(long jobId, Instant now);

  /**
   * Runs a finished or waiting job again now: a dead, failed or cancelled job goes back to the
   * queue with one more attempt allowed. Empty if there is no such job; unchanged if it is queued,
   * running or succeeded.
   *
   * @throws KeyHeldException if another live job (queued, running or failed) holds the job's unique
   *     key; nothing is changed
   */
  Optional<JobInfo> retry(long jobId, Instant now);

  /**
   * {@link #retry} for every dead job it can: a job whose unique key a live job holds stays dead
   * and is reported, and of dead jobs sharing a key the newest goes back. One such job never stops
   * the others.
   */
  RetriedDead retryDead(Instant now);
}
