package dev.mayfly.runner;

import dev.mayfly.api.Job;
import dev.mayfly.api.Outcome;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.internal.jobs.JobInstances;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.RunnerQueue;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * Runs one claimed job under the guard, step 3 of {@link Runner}'s loop: whatever the job does
 * (returns an outcome, throws, hangs past its timeout) becomes one {@link Finish} to record, with
 * the stack trace for failures. The job runs on the runner's job thread, so that a timeout can
 * interrupt it; a job that ignores the interruption too is a {@link StuckJob}, and the runner ends
 * to get rid of it. While a job runs, its {@link Execution} is the runner's current one, which the
 * heartbeat flushes and cancels.
 */
final class JobGuard {
  /** How long a job that ignores interruption after its timeout is given before we give up. */
  private static final Duration INTERRUPT_GRACE = Duration.ofSeconds(5);

  private final RunnerSettings settings;
  private final RunnerQueue store;
  private final JobTypes types;
  private final JobInstances instances;
  private final JobThread jobThread;
  private final InstantSource clock;
  private final PrintStream out;
  private final AtomicReference<@Nullable Execution> current;

  JobGuard(
      RunnerSettings settings,
      RunnerQueue store,
      JobTypes types,
      JobInstances instances,
      JobThread jobThread,
      InstantSource clock,
      PrintStream out,
      AtomicReference<@Nullable Execution> current) {
    this.settings = settings;
    this.store = store;
    this.types = types;
    this.instances = instances;
    this.jobThread = jobThread;
    this.clock = clock;
    this.out = out;
    this.current = current;
  }

  /** Runs one job under the guard; whatever happens becomes a {@link Finish}. */
  Finish execute(ClaimedJob job) {
    Instant started = clock.instant();
    Instant jobDeadline = min(started.plus(job.timeout()), settings.deadline());
    Execution execution =
        new Execution(
            job,
            settings.runnerId(),
            jobDeadline,
            store,
            clock,
            out,
            settings.maxLine(),
            settings.maxLog());
    current.set(execution);
    out.println(OutputMarkers.jobStarted(job.id(), job.type(), job.attempt()));
    try {
      return run(job, execution, jobDeadline);
    } catch (StuckJob e) {
      throw e;
    } catch (Throwable t) { // the guard: nothing a job does escapes unrecorded
      return failure(job, stackTrace(t));
    } finally {
      current.set(null);
      try {
        execution.finishLog();
      } catch (RuntimeException e) {
        out.println(
            OutputMarkers.runnerNote(
                "storing the log of job " + job.id() + " failed: " + e.getMessage()));
      }
    }
  }

  private Finish run(ClaimedJob job, Execution execution, Instant jobDeadline)
      throws InterruptedException {
    Optional<JobDescriptor> descriptor = types.find(job.type());
    if (descriptor.isEmpty()) {
      return failure(
          job,
          "this runner does not know job type '"
              + job.type()
              + "'; it knows "
              + types.encode()
              + ". Register the job class with the app that launches runners.");
    }
    JobDescriptor d = descriptor.get();
    Record args = types.bind(d, job.args());
    @SuppressWarnings("unchecked")
    Job<Record> instance = (Job<Record>) instances.create(d);
    // The job runs on its own thread so a timeout can interrupt it and, if it will not stop,
    // the runner can still record the failure and end the process.
    CompletableFuture<Outcome> result =
        jobThread.run(execution, () -> perform(instance, args, execution));
    execution.runsOn(jobThread);
    long waitMillis = Math.max(1, Duration.between(clock.instant(), jobDeadline).toMillis());
    try {
      Outcome outcome = result.get(waitMillis, TimeUnit.MILLISECONDS);
      return toFinish(outcome == null ? Outcome.success() : outcome);
    } catch (ExecutionException e) {
      if (execution.isCancelled()) { // it ended because it was told to
        return new Finish.Discarded(clock.instant(), "cancelled while running");
      }
      return failure(job, stackTrace(e.getCause() != null ? e.getCause() : e));
    } catch (TimeoutException e) {
      jobThread.interrupt(execution);
      Finish timedOut =
          failure(
              job,
              "timed out after "
                  + Duration.between(job.startedAt(), clock.instant()).toMillis()
                  + " ms (job timeout "
                  + d.timeout()
                  + ", runner deadline "
                  + settings.deadline()
                  + "); the job was interrupted");
      try {
        result.get(INTERRUPT_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | java.util.concurrent.CancellationException ended) {
        // it stopped, with an exception: the timeout is what is recorded
      } catch (TimeoutException stuck) {
        throw new StuckJob(timedOut);
      }
      return timedOut;
    }
  }

  /** The job's own code; what it throws completes the result exceptionally. */
  private static Outcome perform(Job<Record> job, Record args, Execution execution) {
    try {
      return job.perform(args, execution);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  /**
   * A failed attempt: retried after the job type's backoff while attempts are left, else the job is
   * dead with this error.
   */
  Finish failure(ClaimedJob job, String error) {
    Instant now = clock.instant();
    if (job.attempt() >= job.maxAttempts()) {
      return new Finish.Failed(now, error, null);
    }
    Duration delay =
        types
            .find(job.type())
            .map(
                d ->
                    d.retryDelay(
                        job.attempt(),
                        java.util.concurrent.ThreadLocalRandom.current().nextDouble()))
            .orElse(Duration.ofSeconds(15));
    return new Finish.Failed(now, error, now.plus(delay));
  }

  private Finish toFinish(Outcome outcome) {
    Instant now = clock.instant();
    return switch (outcome) {
      case Outcome.Success s -> new Finish.Succeeded(now);
      case Outcome.Retry r -> new Finish.Requeued(now, now.plus(r.delay()), r.reason(), true);
      case Outcome.Snooze s ->
          new Finish.Requeued(now, now.plus(s.delay()), "snoozed for " + s.delay(), false);
      case Outcome.Discard d -> new Finish.Discarded(now, d.reason());
    };
  }

  static String describe(Finish finish) {
    return switch (finish) {
      case Finish.Succeeded s -> "succeeded";
      case Finish.Failed f ->
          (f.dead()
                  ? "failed, no attempts left (dead): "
                  : "failed, retry at " + f.retryAt() + ": ")
              + f.error().lines().findFirst().orElse("");
      case Finish.Requeued r -> "requeued for " + r.runAt() + ": " + r.reason();
      case Finish.Discarded d -> "discarded: " + d.reason();
    };
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static String stackTrace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw.toString().strip();
  }

  /** A job that would not stop when interrupted: the runner must end to get rid of it. */
  static final class StuckJob extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient Finish finish;

    StuckJob(Finish finish) {
      super(null, null, false, false);
      this.finish = finish;
    }
  }
}
