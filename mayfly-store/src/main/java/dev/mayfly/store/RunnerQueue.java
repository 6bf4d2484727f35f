package dev.mayfly.store;

import dev.mayfly.api.LogLine;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What a runner process does with the store: it reports in, claims jobs under a lease, renews the
 * lease, records how each attempt ended, and leaves. Claims and outcomes are at least once: a
 * runner that loses its lease loses its jobs to the queue, and what it reports after that is
 * discarded.
 *
 * <p>Contract tests: {@code RunnerQueueContract} in this module's test jar.
 */
public interface RunnerQueue {

  /**
   * The runner process itself reports that it is up. True if this process is the runner: its row
   * was {@code launching}. False if another process already reported in under the same id (a
   * platform that started two for one launch) or the launch was given up (failed, lost, stopped):
   * that process must leave at once, touching neither the runner's row nor any job.
   */
  boolean runnerStarted(String runnerId, Instant at);

  /**
   * {@link #runnerStarted} at {@code request.now()}, then, if this process is the runner, {@link
   * #claim} for it, in one transaction: a runner's first round trip both reports it in and brings
   * its first jobs. Empty if this process is not the runner; then nothing was claimed.
   */
  Optional<List<ClaimedJob>> startAndClaim(ClaimRequest request);

  /**
   * Atomically takes up to {@code request.limit()} ready jobs of a queue for a runner, so no two
   * runners ever get the same job: the highest priority, then the oldest run-at. Only jobs whose
   * timeout is at most {@code request.maxTimeout()} are considered, so a runner near its
   * time-to-live takes only what it can finish. Increments the attempt count, records a new
   * attempt, and sets a lease that the runner must renew with {@link #heartbeat}.
   */
  List<ClaimedJob> claim(ClaimRequest request);

  /**
   * Records the end of the current attempt of a job held by {@code runnerId}. Returns false, and
   * changes nothing, if the runner no longer holds the job (its lease expired and the job went back
   * to the queue); the caller's outcome is then discarded, which is what at-least-once means.
   */
  boolean finish(long jobId, String runnerId, Finish finish);

  /**
   * Records the ends of several attempts held by {@code runnerId} in one transaction; each as
   * {@link #finish} would. Returns, per outcome, whether it was recorded.
   */
  List<Boolean> finishAll(String runnerId, List<Finished> outcomes);

  /**
   * {@link #finishAll} for {@code next.runnerId()}, then {@link #claim} of {@code next}, in one
   * transaction: a runner that goes on pays one commit per job rather than two. Both happen or
   * neither does.
   */
  FinishedAndClaimed finishAllAndClaim(List<Finished> outcomes, ClaimRequest next);

  /**
   * A runner's sign of life: renews its heartbeat and the leases of its running jobs. Returns the
   * ids of its jobs that someone asked to cancel.
   */
  Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil);

  /** Appends lines a job logged through its context to its log (for its current attempt). */
  void appendLog(long jobId, int attempt, List<LogLine> lines);

  /** Appends lines to a runner's output, each tagged with the attempt that printed it, if any. */
  void appendRunnerOutput(String runnerId, List<OutputLine> lines);

  /**
   * Scale-in, asked by a runner that found nothing to claim: it may leave at once if another alive
   * runner of its queue will take what comes next (one still launching, one busy, or an idle one
   * launched after it; of several idle runners, the newest stays). Decided and recorded atomically
   * with the queue's other runners, so two idle runners never both leave on each other's account.
   * Returns true, with the runner marked exited at {@code now}, if it should leave.
   */
  boolean retireIfSurplus(String runnerId, String queue, Instant now);

  /**
   * When the queue's latest jobs (up to {@code limit}, newest first) became ready, or will: their
   * {@code run_at}. An idle runner reads the queue's rhythm from it.
   */
  List<Instant> arrivals(String queue, int limit);

  /**
   * The runner's end, reported by the runner or by its launcher, whichever comes first; the exit
   * code, once known, is kept. A runner already declared lost stays lost. A job it still held goes
   * back to the queue at once.
   */
  void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at);
}
