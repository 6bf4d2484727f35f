package dev.mayfly.store;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.ToLongFunction;
import org.jspecify.annotations.Nullable;

/**
 * What a dispatcher does with the store: it reads the demand, reserves runner slots under each
 * queue's cap (kept across every node sharing the database), records launches and exits, stores
 * what runners print, and recovers from crashes.
 *
 * <p>Contract tests: {@code FleetContract} in this module's test jar.
 */
public interface Fleet {

  /**
   * Atomically reserves up to {@code wanted} runner slots of a queue, never letting the number of
   * alive runners (launching or running) of that queue exceed {@code maxRunners}, across every node
   * sharing the database. Returns the ids of the new runners, in state launching.
   */
  List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted);

  /** Records the platform's id of a launched runner (a process id, a dyno, a pod). */
  void runnerLaunched(String runnerId, String platformId);

  /** Records a launch that failed; false if the runner was no longer launching (it reported in). */
  boolean runnerLaunchFailed(String runnerId, @Nullable String error, Instant at);

  /**
   * The runner's end, reported by the runner or by its launcher, whichever comes first; the exit
   * code, once known, is kept. A runner already declared lost stays lost. A job it still held goes
   * back to the queue at once.
   */
  void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at);

  /** Appends lines to a runner's output, each tagged with the attempt that printed it, if any. */
  void appendRunnerOutput(String runnerId, List<OutputLine> lines);

  /**
   * What the dispatcher needs to decide launches, per queue with ready work or alive runners. A
   * ready job whose timeout is longer than {@code longestJobMillis} gives for its queue (what a
   * runner of the queue may claim at most) counts as unrunnable, not ready.
   */
  List<QueueDemand> demand(Instant now, ToLongFunction<String> longestJobMillis);

  /** {@link #demand(Instant, ToLongFunction)} with every job runnable. */
  default List<QueueDemand> demand(Instant now) {
    return demand(now, queue -> Long.MAX_VALUE);
  }

  /**
   * Sets {@code error} on the waiting jobs of {@code queue} whose timeout is longer than {@code
   * longestJob}, where it is not set already, so a person sees why they do not run. Returns how
   * many were marked.
   */
  int markUnrunnable(String queue, Duration longestJob, String error);

  /**
   * The queue's measured start-up and job duration, from its latest runners; while none of their
   * attempts has ended, how long the oldest one running has run by {@code now}.
   */
  QueueHistory history(String queue, Instant now);

  /**
   * Recovers from crashes: running jobs whose lease ran out go back to the queue (the attempt is
   * recorded as lost and counts); runners that reported in and have been silent since {@code
   * silentSince}, and runners still launching that were launched before {@code launchedBefore}, are
   * marked lost. Safe to run from any node at any time.
   */
  Recovered recover(Instant now, Instant silentSince, Instant launchedBefore);

  /**
   * Deletes finished jobs (succeeded, failed, dead, cancelled) that finished before {@code
   * finishedBefore}, with their attempts and log lines, and runners that exited before then with
   * their output. Returns the number of jobs deleted.
   */
  int prune(Instant finishedBefore);
}
