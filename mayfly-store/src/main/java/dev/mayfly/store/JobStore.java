package dev.mayfly.store;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The durable queue: jobs, their attempts and logs, and the runners that executed them. Every app
 * node and every runner process opens its own {@code JobStore} on the same database; the database
 * is the only shared state, so every method is a self-contained, atomic step.
 *
 * <p>Times are passed in by the caller (from its injected clock), never read from the database.
 * Implementations must be safe for use by several threads.
 *
 * <p>Contract tests: {@code JobStoreContract} in this module's test jar; every implementation runs
 * all of them.
 */
public interface JobStore extends AutoCloseable {

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
  List<Long> enqueueAllOn(java.sql.Connection connection, List<NewJob> jobs);

  /**
   * Atomically takes up to {@code limit} ready jobs of a queue for a runner, so no two runners ever
   * get the same job: the highest priority, then the oldest run-at. Only jobs whose timeout is at
   * most {@code maxTimeout} are considered, so a runner near its time-to-live takes only what it
   * can finish. Increments the attempt count, records a new attempt, and sets a lease that the
   * runner must renew with {@link #heartbeat}.
   */
  List<ClaimedJob> claim(
      String queue,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit);

  /** Claims one job; see {@link #claim(String, String, Instant, Duration, Instant, int)}. */
  default Optional<ClaimedJob> claim(
      String queue, String runnerId, Instant now, Duration maxTimeout, Instant leaseUntil) {
    return claim(queue, runnerId, now, maxTimeout, leaseUntil, 1).stream().findFirst();
  }

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
   * {@link #finishAll}, then {@link #claim} for the same runner, in one transaction: a runner that
   * goes on pays one commit per job rather than two. Both happen or neither does.
   */
  FinishedAndClaimed finishAllAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queue,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit);

  /** Appends lines a job logged through its context to its log (for its current attempt). */
  void appendLog(long jobId, int attempt, List<LogLine> lines);

  /**
   * A job's log: the lines it logged through its context and those it printed (stored once, in its
   * runners' output, {@link #appendRunnerOutput}), attempt by attempt, in time order.
   */
  List<LogLine> jobLog(long jobId);

  /**
   * A runner's sign of life: renews its heartbeat and the leases of its running jobs. Returns the
   * ids of its jobs that someone asked to cancel.
   */
  Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil);

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

  // ---- runners -------------------------------------------------------------------------------

  /**
   * Atomically reserves up to {@code wanted} runner slots of a queue, never letting the number of
   * alive runners (launching or running) of that queue exceed {@code maxRunners}, across every node
   * sharing the database. Returns the ids of the new runners, in state launching.
   */
  List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted);

  void runnerLaunched(String runnerId, String platformId);

  /** Records a launch that failed; false if the runner was no longer launching (it reported in). */
  boolean runnerLaunchFailed(String runnerId, @Nullable String error, Instant at);

  /**
   * The runner process itself reports that it is up. True if this process is the runner: its row
   * was {@code launching}. False if another process already reported in under the same id (a
   * platform that started two for one launch) or the launch was given up (failed, lost, stopped):
   * that process must leave at once, touching neither the runner's row nor any job.
   */
  boolean runnerStarted(String runnerId, Instant at);

  /**
   * {@link #runnerStarted}, then, if this process is the runner, {@link #claim} for it, in one
   * transaction: a runner's first round trip both reports it in and brings its first jobs. Empty if
   * this process is not the runner; then nothing was claimed.
   */
  Optional<List<ClaimedJob>> startAndClaim(
      String runnerId,
      Instant at,
      String queue,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit);

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
   * code, once known, is kept. A runner already declared lost stays lost.
   */
  void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at);

  /** Appends lines to a runner's output, each tagged with the attempt that printed it, if any. */
  void appendRunnerOutput(String runnerId, List<OutputLine> lines);

  /** What a runner printed, in the order it printed it. */
  List<LogLine> runnerOutput(String runnerId);

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

  /** What {@link #listen} passes when any queue may have ready jobs; never a queue's name. */
  String ANY_QUEUE = "*";

  /**
   * Calls {@code listener} with a queue's name soon after jobs become ready in it, from any
   * process, where the database can tell (PostgreSQL's LISTEN/NOTIFY), and with {@link #ANY_QUEUE}
   * each time listening (re)starts, since jobs may have become ready while nothing listened.
   * Notifications may be lost or late: they are a hint to look now, never a substitute for polling.
   * Returns a handle that stops the listening; a store that cannot listen returns one that does
   * nothing.
   */
  default AutoCloseable listen(java.util.function.Consumer<String> listener) {
    return () -> {};
  }

  // ---- reading -------------------------------------------------------------------------------

  Optional<JobInfo> job(long jobId, Instant now);

  List<JobInfo> jobs(JobFilter filter, Instant now);

  List<AttemptInfo> attempts(long jobId);

  List<RunnerInfo> runners(RunnerFilter filter, Instant now);

  Optional<RunnerInfo> runner(String runnerId, Instant now);

  /** Per-queue job counts and alive runners, for every queue that has jobs or runners. */
  List<QueueCounts> counts(Instant now);

  /**
   * Every runner launched in {@code [since, now)}, oldest first, with the time its jobs were busy:
   * what cost accounting is computed from.
   */
  List<RunnerUsage> usage(Instant since, Instant now);

  /** The seconds every runner in the store billed: launch to exit, or to {@code now} if alive. */
  double billedSeconds(Instant now);

  /** How many jobs finished (in any final state) per queue since {@code since}. */
  Map<String, Long> finishedSince(Instant since);

  /**
   * What the dispatcher needs to decide launches, per queue with ready work or alive runners. A
   * ready job whose timeout is longer than {@code longestJobMillis} gives for its queue (what a
   * runner of the queue may claim at most) counts as unrunnable, not ready.
   */
  List<QueueDemand> demand(Instant now, java.util.function.ToLongFunction<String> longestJobMillis);

  /** {@link #demand(Instant, java.util.function.ToLongFunction)} with every job runnable. */
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

  // ---- schedules -----------------------------------------------------------------------------

  /**
   * Makes the stored schedules exactly {@code schedules}: a new one is due from {@code now}, a
   * changed one keeps the last fire time it handled, one no longer listed is deleted.
   */
  void defineSchedules(List<StoredSchedule> schedules, Instant now);

  /** Every stored schedule and where it stands, by name. */
  List<ScheduleState> schedules();

  /**
   * Handles fire time {@code at} of a schedule by enqueuing {@code job} in the same transaction, if
   * the last time the schedule handled is still {@code last} and it is not paused: of any number of
   * dispatchers, one handles each time. Returns the job's id, or null when another handled it first
   * (or the schedule was paused or removed meanwhile).
   */
  @Nullable Long fireSchedule(String name, @Nullable Instant last, Instant at, NewJob job);

  /** Lets fire time {@code at} go without a job, on the terms of {@link #fireSchedule}. */
  boolean skipSchedule(String name, @Nullable Instant last, Instant at);

  /** Pauses or resumes a schedule; false if there is none of that name. */
  boolean pauseSchedule(String name, boolean paused);

  /**
   * Enqueues {@code job} for a schedule now, outside its fire times, as its latest job (so {@code
   * overlap skip} waits for it); null if there is no schedule of that name.
   */
  @Nullable Long runScheduleNow(String name, NewJob job);

  @Override
  void close();
}
