package dev.mayfly.runner;

import static dev.mayfly.runner.JobGuard.describe;

import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.protocol.DatabaseUrl;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.protocol.TimeToLive;
import dev.mayfly.runner.JobGuard.StuckJob;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.RunnerQueue;
import dev.mayfly.store.StoreStall;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The work loop of one runner: the body of a one-off process.
 *
 * <ol>
 *   <li>Report itself started, then heartbeat on a side thread so its jobs keep their leases.
 *   <li>Claim one job of its queue at a time, only one it can finish before its deadline (the
 *       platform's kill time minus a margin), for as long as the queue has ready work: a runner
 *       drains its queue.
 *   <li>Run it inside a guard ({@link JobGuard}): whatever the job does (returns an outcome,
 *       throws, hangs past its timeout), one outcome is recorded, with the stack trace for
 *       failures.
 *   <li>When the queue is empty, leave at once if another runner of the queue will take what comes
 *       (scale-in), or if the queue's rhythm says no job is likely within the wait ({@link
 *       IdleForecast}); else wait for new work for the idle period, which the dispatcher sets to
 *       about what a new runner takes to start (waiting longer costs more than starting anew), then
 *       leave. Also exit at the optional job cap, when no job fits in the time left, or when asked
 *       to stop.
 * </ol>
 *
 * Delivery is at least once: if this process dies between finishing a job and recording it, the
 * lease runs out and another runner runs the job again.
 */
public final class Runner {
  /** How long a cancelled job may go on checking its flag before it is interrupted. */
  static final Duration CANCEL_GRACE = Duration.ofSeconds(5);

  private final RunnerSettings settings;
  private final JobStore handle; // for listening, and to look for its own row
  private final RunnerQueue store;
  private final InstantSource clock;
  private final PrintStream out;
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Semaphore newWork = new Semaphore(0);
  private final AtomicReference<@Nullable Execution> current = new AtomicReference<>();

  /** The jobs of the batch now running that have not started yet. */
  private final java.util.Map<Long, ClaimedJob> unstarted =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final JobThread jobThread;
  private final JobGuard guard; // runs each job
  private final ClaimBatch claimBatch;
  private final LongSupplier ticker;
  private final StoreStall stall; // says when a store call took seconds
  private int jobsRun;
  private @Nullable AutoCloseable listening; // started at the first wait for work

  public Runner(
      RunnerSettings settings,
      JobStore store,
      JobTypes types,
      InstantSource clock,
      PrintStream out) {
    this(settings, store, types, clock, SystemTime.ticker(), out, JobInstances.CONSTRUCTOR);
  }

  /**
   * @param ticker nanoseconds from a monotonic source, for how long jobs run (the claim batch)
   * @param instances makes the instance of a job class that runs each job
   */
  public Runner(
      RunnerSettings settings,
      JobStore store,
      JobTypes types,
      InstantSource clock,
      LongSupplier ticker,
      PrintStream out,
      JobInstances instances) {
    this.settings = settings;
    this.ticker = ticker;
    this.claimBatch = new ClaimBatch(settings.claimBatch());
    this.handle = store;
    this.store = store.runnerQueue();
    this.stall = new StoreStall(ticker, note -> out.println(OutputMarkers.runnerNote(note)));
    this.clock = clock;
    this.out = out;
    this.jobThread = new JobThread("mayfly-job-" + settings.runnerId());
    this.guard =
        new JobGuard(settings, this.store, types, instances, jobThread, clock, out, current);
  }

  private volatile boolean watchExits;

  /**
   * Has this runner tell a job's {@code System.exit} from a SIGTERM ({@link JobExits}), for a
   * runner that is the whole process; call before {@link #run}.
   */
  public void watchJobExits() {
    watchExits = true;
  }

  /** Asks the loop to take no more jobs; the current one runs to its end. */
  public void stop() {
    stop.countDown();
    newWork.release();
  }

  public int jobsRun() {
    return jobsRun;
  }

  /**
   * Gives the job now running back to the queue (the attempt counts), for a runner that must end
   * before the job does: SIGTERM's grace period is over. If the job still finishes, its outcome is
   * not recorded: the job no longer belongs to this runner.
   */
  public void abandonCurrent(String why) {
    Execution e = current.get();
    Instant now = clock.instant();
    if (e != null) {
      e.finishLog();
      // It counts as an attempt: a job that never finishes within the grace ends dead, not given
      // back forever.
      if (store.finish(e.jobId(), settings.runnerId(), new Finish.Requeued(now, now, why, true))) {
        out.println(OutputMarkers.jobGivenBack(e.jobId(), e.jobType(), why));
      }
    }
    giveBackUnstarted(now);
  }

  /**
   * The process is ending because job code called {@code System.exit} ({@code status}, null if
   * unknown): the job running now failed, an attempt like any other (retried by its policy, dead
   * with none left), recorded as what it was rather than as a SIGTERM; the jobs claimed with it and
   * not started go back without using an attempt; the runner's end is recorded.
   */
  public void jobEndedProcess(@Nullable Integer status) {
    Execution e = current.get();
    Instant now = clock.instant();
    String why =
        "the job exited the runner with status "
            + (status == null ? "unknown" : status)
            + " (System.exit); a job must return an outcome or throw, not end its process";
    if (e != null) {
      try {
        e.finishLog();
      } catch (RuntimeException ignored) {
        // the failure is what matters now
      }
      Finish failed = guard.failure(e.job(), why);
      boolean recorded = store.finish(e.jobId(), settings.runnerId(), failed);
      out.println(
          OutputMarkers.jobEnded(
                  e.jobId(),
                  e.jobType(),
                  e.attempt(),
                  describe(failed),
                  Duration.between(e.job().startedAt(), now).toMillis())
              + (recorded ? "" : "; not recorded: this runner lost its lease"));
    } else {
      out.println(OutputMarkers.runnerNote(why.replace("the job exited", "job code exited")));
    }
    giveBackUnstarted(now);
    store.runnerExited(settings.runnerId(), status, now);
  }

  /**
   * Jobs claimed in the batch now running that have not started: they go back to the queue as if
   * never claimed (no attempt used), so a runner ending mid-batch does not hold them until their
   * leases end, nor count them as lost.
   */
  private void giveBackUnstarted(Instant now) {
    List<Finished> back = new ArrayList<>();
    for (ClaimedJob job : List.copyOf(unstarted.values())) {
      if (unstarted.remove(job.id()) != null) {
        back.add(
            new Finished(
                job.id(),
                new Finish.Requeued(now, now, "the runner ended before starting it", false)));
        out.println(OutputMarkers.jobGivenBackUnstarted(job.id(), job.type()));
      }
    }
    if (!back.isEmpty()) {
      store.finishAll(settings.runnerId(), back);
    }
  }

  public ExitReason run() {
    String id = settings.runnerId();
    // Reporting in brings the first jobs: one round trip and one commit less before the first job
    // starts, which matters most on a cold connection to a distant database.
    Instant now = clock.instant();
    Duration left = longestJobNow(now);
    int batch = left.isNegative() || left.isZero() ? 0 : settings.jobsLeft(0, claimBatch.size());
    Optional<List<ClaimedJob>> first =
        stall.time(
            "report in and claim",
            () ->
                store.startAndClaim(
                    new ClaimRequest(settings.queue(), id, now, left, leaseFrom(now), batch)));
    if (first.isEmpty()) {
      // Only on this path: no row at all is a runner given another database than its dispatcher's
      if (handle.reads().runner(id, now).isEmpty()) {
        String db = String.valueOf(DatabaseUrl.redact(settings.databaseUrl()));
        out.println(OutputMarkers.runnerHasNoRow(id, db));
        out.println(OutputMarkers.runnerExiting(id, ExitReason.WRONG_STORE, 0));
        return ExitReason.WRONG_STORE;
      }
      out.println(
          OutputMarkers.runnerNote(
              "runner "
                  + id
                  + " is not launching (another process reported in as it, or its launch was"
                  + " given up); leaving without claiming"));
      out.println(OutputMarkers.runnerExiting(id, ExitReason.NOT_THE_RUNNER, 0));
      return ExitReason.NOT_THE_RUNNER;
    }
    out.println(
        OutputMarkers.runnerStarted(
            id,
            settings.queue(),
            settings.jobsPerRunner(),
            settings.idleExit().toMillis(),
            settings.deadline()));
    // Platform threads, for the heartbeat and the job: once a virtual thread has used a socket,
    // the JDK's poller thread waits in native code for good, and HotSpot then spends 300 ms at
    // exit waiting for it, billed on every runner.
    Thread heartbeat =
        Thread.ofPlatform().daemon().name("mayfly-heartbeat-" + id).start(this::heartbeat);
    ExitReason reason = null;
    try {
      reason = loop(first.get());
      return reason;
    } finally {
      stop.countDown();
      jobThread.close();
      if (listening != null) {
        closeQuietly(listening);
      }
      heartbeat.interrupt();
      joinQuietly(heartbeat);
      try {
        store.runnerExited(id, null, clock.instant());
      } catch (RuntimeException e) {
        // The database is away: the launcher reports the exit, or recovery declares it lost.
        out.println(OutputMarkers.runnerNote("recording its exit failed: " + e.getMessage()));
      }
      out.println(OutputMarkers.runnerExiting(id, reason, jobsRun));
    }
  }

  private ExitReason loop(List<ClaimedJob> first) {
    Instant idleSince = clock.instant();
    boolean judged = false; // whether this idle spell was judged worth waiting out
    List<ClaimedJob> next = first; // claimed as it reported in, then with the last jobs' outcomes
    while (true) {
      if (!next.isEmpty()) {
        List<ClaimedJob> claimed = next;
        next = List.of();
        Batch done = runBatch(claimed);
        next = record(done, !done.stuck);
        if (done.stuck) {
          return ExitReason.STUCK_JOB;
        }
        idleSince = clock.instant();
        judged = false;
        continue;
      }
      if (stop.getCount() == 0) {
        return ExitReason.STOPPED;
      }
      if (settings.jobCapReached(jobsRun)) {
        return ExitReason.JOB_LIMIT;
      }
      Instant now = clock.instant();
      Duration left = longestJobNow(now);
      if (left.isNegative() || left.isZero()) {
        return ExitReason.TIME_TO_LIVE;
      }
      int batch = settings.jobsLeft(jobsRun, claimBatch.size());
      List<ClaimedJob> claimed;
      try {
        claimed =
            stall.time(
                "claim",
                () ->
                    store.claim(
                        new ClaimRequest(
                            settings.queue(),
                            settings.runnerId(),
                            now,
                            left,
                            leaseFrom(now),
                            batch)));
      } catch (RuntimeException e) {
        // The database is away (restart, failover, network): wait and try again; nothing is
        // held, so nothing is at risk. The idle clock keeps running, so a long outage ends the
        // runner and the dispatcher starts a fresh one later.
        out.println(OutputMarkers.runnerNote("claiming failed, retrying: " + e.getMessage()));
        if (idleWaitOver(idleSince, now)) {
          return ExitReason.IDLE;
        }
        awaitNewWork(Duration.ofSeconds(1));
        continue;
      }
      if (!claimed.isEmpty()) {
        next = claimed;
        continue;
      }
      if (surplus(now)) {
        return ExitReason.SCALED_IN;
      }
      if (!judged) {
        judged = true;
        if (!worthWaiting(now)) {
          return ExitReason.NO_WORK_EXPECTED;
        }
      }
      if (idleWaitOver(idleSince, now)) {
        return ExitReason.IDLE;
      }
      awaitNewWork(settings.pollInterval());
    }
  }

  private boolean idleWaitOver(Instant idleSince, Instant now) {
    return !Duration.between(idleSince, now).minus(settings.idleExit()).isNegative();
  }

  /** Asks the store whether other runners will take what comes; if unsure, stay. */
  private boolean surplus(Instant now) {
    if (!settings.scaleIn()) {
      return false;
    }
    try {
      return store.retireIfSurplus(settings.runnerId(), settings.queue(), now);
    } catch (RuntimeException e) {
      return false; // the database is away: the idle budget still ends this runner
    }
  }

  /** Whether the queue's rhythm says new work may come within the idle wait; if unsure, yes. */
  private boolean worthWaiting(Instant now) {
    if (!settings.scaleIn()) {
      return true;
    }
    try {
      return IdleForecast.worthWaiting(
          store.arrivals(settings.queue(), IdleForecast.ARRIVALS), now, settings.idleExit());
    } catch (RuntimeException e) {
      return true;
    }
  }

  private Duration longestJobNow(Instant now) {
    return TimeToLive.longestJob(Duration.between(now, settings.deadline()));
  }

  /** Claimed jobs run: their outcomes, the lines that say so, and whether one would not stop. */
  private record Batch(List<Finished> outcomes, List<String> lines, boolean stuck) {}

  /**
   * Runs claimed jobs one after the other. A job that can no longer start (asked to stop, too close
   * to the deadline, a job before it would not stop) goes back to the queue with its attempt given
   * back.
   */
  private Batch runBatch(List<ClaimedJob> claimed) {
    List<Finished> outcomes = new ArrayList<>(claimed.size());
    List<String> lines = new ArrayList<>(claimed.size());
    boolean stuck = false;
    claimed.forEach(job -> unstarted.put(job.id(), job));
    for (ClaimedJob job : claimed) {
      if (unstarted.remove(job.id()) == null) {
        continue; // given back already: the process is ending (giveBackUnstarted)
      }
      Instant now = clock.instant();
      if (stuck || stop.getCount() == 0 || job.timeout().compareTo(longestJobNow(now)) > 0) {
        outcomes.add(
            new Finished(
                job.id(),
                new Finish.Requeued(now, now, "the runner ended before starting it", false)));
        lines.add(OutputMarkers.jobGivenBackUnstarted(job.id(), job.type()));
        continue;
      }
      Instant started = clock.instant();
      long startedNanos = ticker.getAsLong(); // how long it ran, for the claim batch
      Finish finish;
      try {
        finish = guard.execute(job);
      } catch (StuckJob e) {
        stuck = true;
        finish = e.finish;
      }
      jobsRun++;
      claimBatch.ran(ticker.getAsLong() - startedNanos);
      outcomes.add(new Finished(job.id(), finish));
      lines.add(
          OutputMarkers.jobEnded(
              job.id(),
              job.type(),
              job.attempt(),
              describe(finish),
              Duration.between(started, clock.instant()).toMillis()));
    }
    return new Batch(outcomes, lines, stuck);
  }

  /**
   * Records a batch's outcomes. If the runner may go on ({@code claimNext}, no stop asked, jobs and
   * time left), it claims its next jobs in the same transaction, one commit per job instead of two,
   * and returns them; should that fail, the outcomes are recorded alone, retried through an outage,
   * and the loop claims as usual.
   */
  private List<ClaimedJob> record(Batch done, boolean claimNext) {
    List<Boolean> recorded = null;
    List<ClaimedJob> next = List.of();
    Instant now = clock.instant();
    Duration left = longestJobNow(now);
    int batch = settings.jobsLeft(jobsRun, claimBatch.size());
    if (claimNext && stop.getCount() > 0 && left.isPositive() && batch > 0) {
      try {
        FinishedAndClaimed r =
            stall.time(
                "record outcomes and claim",
                () ->
                    store.finishAllAndClaim(
                        done.outcomes,
                        new ClaimRequest(
                            settings.queue(),
                            settings.runnerId(),
                            now,
                            left,
                            leaseFrom(now),
                            batch)));
        recorded = r.recorded();
        next = r.claimed();
      } catch (RuntimeException e) {
        out.println(
            OutputMarkers.runnerNote("recording outcomes failed, retrying: " + e.getMessage()));
      }
    }
    if (recorded == null) {
      recorded = recordOutcomes(done.outcomes);
    }
    for (int i = 0; i < done.lines.size(); i++) {
      out.println(
          done.lines.get(i)
              + (recorded.get(i)
                  ? ""
                  : "; not recorded: this runner lost its lease and the job was requeued"));
    }
    return next;
  }

  /**
   * Stores outcomes, retrying through a database outage for as long as the jobs' leases last: after
   * that they belong to the queue again and will run once more (at least once).
   */
  private List<Boolean> recordOutcomes(List<Finished> outcomes) {
    Instant giveUp = clock.instant().plus(settings.leaseTimeout());
    for (long pause = 250; ; pause = Math.min(pause * 2, 4_000)) {
      try {
        return stall.time("record outcomes", () -> store.finishAll(settings.runnerId(), outcomes));
      } catch (RuntimeException e) {
        if (clock.instant().isAfter(giveUp)) {
          throw e;
        }
        out.println(
            OutputMarkers.runnerNote("recording outcomes failed, retrying: " + e.getMessage()));
        try {
          TimeUnit.MILLISECONDS.sleep(pause); // backoff; not cut short by a stop request
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** Renews leases, picks up cancel requests and flushes log lines while a job runs. */
  private void heartbeat() {
    while (!awaitStop(settings.heartbeatInterval())) {
      if (watchExits) {
        // After the first interval, not at once: it starts java.util.logging, and beside the
        // first job that cost a runner ~8 ms of launch to first job (docs/benchmarks.md).
        JobExits.watch();
      }
      try {
        Instant now = clock.instant();
        Set<Long> cancelled =
            stall.time(
                "heartbeat", () -> store.heartbeat(settings.runnerId(), now, leaseFrom(now)));
        Execution e = current.get();
        if (e != null) {
          if (cancelled.contains(e.jobId()) && e.cancel()) {
            // The job may check its flag and return; if it has not after the grace period, it
            // is interrupted.
            Thread.ofVirtual()
                .name("mayfly-cancel-" + e.jobId())
                .start(
                    () -> {
                      awaitStop(CANCEL_GRACE);
                      if (current.get() == e) {
                        e.interrupt();
                      }
                    });
          }
          e.flushLog();
        }
      } catch (RuntimeException ex) {
        // A missed heartbeat is survivable: the lease is several intervals long.
        out.println(OutputMarkers.runnerNote("heartbeat failed, will retry: " + ex.getMessage()));
      }
    }
  }

  private Instant leaseFrom(Instant now) {
    return now.plus(settings.leaseTimeout());
  }

  /** Waits up to {@code d} for a sign of new work (or a stop request). */
  private void awaitNewWork(Duration d) {
    if (listening == null) {
      // Where the store can announce new jobs, an idle runner wakes at once instead of at its
      // next poll; the poll stays as the safety net. Listening starts only now, when there is
      // nothing to do: its connection and probe would slow a start that has jobs waiting. The
      // store says "any queue" once it listens, so a job that came meanwhile is claimed then.
      listening =
          handle.listen(
              queue -> {
                if (queue.equals(settings.queue()) || queue.equals(JobStore.ANY_QUEUE)) {
                  newWork.release();
                }
              });
    }
    try {
      if (newWork.tryAcquire(d.toMillis(), TimeUnit.MILLISECONDS)) {
        newWork.drainPermits();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stop();
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // only stops listening
    }
  }

  /** Waits up to {@code d}; true if the runner was asked to stop (or interrupted). */
  private boolean awaitStop(Duration d) {
    try {
      return stop.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  private static void joinQuietly(Thread t) {
    try {
      t.join(Duration.ofSeconds(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
