package dev.mayfly.store.jdbc;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.Finish;
import dev.mayfly.store.Finished;
import dev.mayfly.store.FinishedAndClaimed;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.KeyHeld;
import dev.mayfly.store.KeyHeldException;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.OutputLine;
import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import dev.mayfly.store.Recovered;
import dev.mayfly.store.RetriedDead;
import dev.mayfly.store.RunnerUsage;
import dev.mayfly.store.ScheduleState;
import dev.mayfly.store.StoredSchedule;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The {@link JobStore} in SQL, the same tables and statements on SQLite and PostgreSQL, times as
 * epoch milliseconds. It is three parts over one {@link Dialect}: the {@link JobQueue}, the {@link
 * RunnerRegistry} and the {@link StoreReads}; this class only routes each call to its owner.
 */
public final class JdbcJobStore implements JobStore {
  private final Dialect db;
  private final JobQueue queue;
  private final RunnerRegistry runners;
  private final StoreReads reads;
  private final ScheduleBook schedules;

  public JdbcJobStore(Dialect db) {
    this.db = db;
    this.queue = new JobQueue(db);
    this.runners = new RunnerRegistry(db);
    this.reads = new StoreReads(db);
    this.schedules = new ScheduleBook(db);
  }

  // ---- the queue -----------------------------------------------------------------------------

  @Override
  public long enqueue(NewJob job) {
    return queue.enqueue(job);
  }

  @Override
  public List<Long> enqueueAll(List<NewJob> jobs) {
    return queue.enqueueAll(jobs);
  }

  @Override
  public List<Long> enqueueAllOn(java.sql.Connection connection, List<NewJob> jobs) {
    return queue.enqueueAllOn(connection, jobs);
  }

  @Override
  public List<ClaimedJob> claim(
      String queueName,
      String runnerId,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return queue.claim(queueName, runnerId, now, maxTimeout, leaseUntil, limit);
  }

  @Override
  public boolean finish(long jobId, String runnerId, Finish finish) {
    return queue.finish(jobId, runnerId, finish);
  }

  @Override
  public List<Boolean> finishAll(String runnerId, List<Finished> outcomes) {
    return queue.finishAll(runnerId, outcomes);
  }

  @Override
  public FinishedAndClaimed finishAllAndClaim(
      String runnerId,
      List<Finished> outcomes,
      String queueName,
      Instant now,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return queue.finishAllAndClaim(
        runnerId, outcomes, queueName, now, maxTimeout, leaseUntil, limit);
  }

  @Override
  public void appendLog(long jobId, int attempt, List<LogLine> lines) {
    queue.appendLog(jobId, attempt, lines);
  }

  @Override
  public List<LogLine> jobLog(long jobId) {
    return queue.jobLog(jobId);
  }

  @Override
  public Set<Long> heartbeat(String runnerId, Instant now, Instant leaseUntil) {
    return queue.heartbeat(runnerId, now, leaseUntil);
  }

  @Override
  public Optional<JobInfo> cancel(long jobId, Instant now) {
    queue.cancel(jobId, now);
    return reads.job(jobId, now);
  }

  @Override
  public Optional<JobInfo> retry(long jobId, Instant now) {
    KeyHeld held = queue.retry(jobId, now);
    if (held != null) {
      throw new KeyHeldException(held);
    }
    return reads.job(jobId, now);
  }

  @Override
  public RetriedDead retryDead(Instant now) {
    return queue.retryDead(now);
  }

  @Override
  public AutoCloseable listen(Consumer<String> listener) {
    return db.listen(listener);
  }

  // ---- the runners ---------------------------------------------------------------------------

  @Override
  public List<String> reserveRunners(NewRunner runner, int maxRunners, int wanted) {
    return runners.reserveRunners(runner, maxRunners, wanted);
  }

  @Override
  public void runnerLaunched(String runnerId, String platformId) {
    runners.runnerLaunched(runnerId, platformId);
  }

  @Override
  public boolean runnerLaunchFailed(String runnerId, @Nullable String error, Instant at) {
    return runners.runnerLaunchFailed(runnerId, error, at);
  }

  @Override
  public boolean runnerStarted(String runnerId, Instant at) {
    return runners.runnerStarted(runnerId, at);
  }

  @Override
  public Optional<List<ClaimedJob>> startAndClaim(
      String runnerId,
      Instant at,
      String queueName,
      Duration maxTimeout,
      Instant leaseUntil,
      int limit) {
    return queue.startAndClaim(runnerId, at, queueName, maxTimeout, leaseUntil, limit);
  }

  @Override
  public boolean retireIfSurplus(String runnerId, String queueName, Instant now) {
    return runners.retireIfSurplus(runnerId, queueName, now);
  }

  @Override
  public List<Instant> arrivals(String queueName, int limit) {
    return runners.arrivals(queueName, limit);
  }

  @Override
  public void runnerExited(String runnerId, @Nullable Integer exitCode, Instant at) {
    runners.runnerExited(runnerId, exitCode, at);
  }

  @Override
  public void appendRunnerOutput(String runnerId, List<OutputLine> lines) {
    runners.appendRunnerOutput(runnerId, lines);
  }

  @Override
  public List<LogLine> runnerOutput(String runnerId) {
    return runners.runnerOutput(runnerId);
  }

  @Override
  public Recovered recover(Instant now, Instant silentSince, Instant launchedBefore) {
    return runners.recover(now, silentSince, launchedBefore);
  }

  @Override
  public int prune(Instant finishedBefore) {
    return runners.prune(finishedBefore);
  }

  // ---- reads ---------------------------------------------------------------------------------

  @Override
  public Optional<JobInfo> job(long jobId, Instant now) {
    return reads.job(jobId, now);
  }

  @Override
  public List<JobInfo> jobs(JobFilter filter, Instant now) {
    return reads.jobs(filter, now);
  }

  @Override
  public List<AttemptInfo> attempts(long jobId) {
    return reads.attempts(jobId);
  }

  @Override
  public List<RunnerInfo> runners(RunnerFilter filter, Instant now) {
    return reads.runners(filter, now);
  }

  @Override
  public Optional<RunnerInfo> runner(String runnerId, Instant now) {
    return reads.runner(runnerId, now);
  }

  @Override
  public List<QueueCounts> counts(Instant now) {
    return reads.counts(now);
  }

  @Override
  public List<RunnerUsage> usage(Instant since, Instant now) {
    return reads.usage(since, now);
  }

  @Override
  public double billedSeconds(Instant now) {
    return reads.billedSeconds(now);
  }

  @Override
  public Map<String, Long> finishedSince(Instant since) {
    return reads.finishedSince(since);
  }

  @Override
  public List<QueueDemand> demand(
      Instant now, java.util.function.ToLongFunction<String> longestJobMillis) {
    return reads.demand(now, longestJobMillis);
  }

  @Override
  public int markUnrunnable(String queue, Duration longestJob, String error) {
    return this.queue.markUnrunnable(queue, longestJob, error);
  }

  @Override
  public QueueHistory history(String queueName, Instant now) {
    return reads.history(queueName, now);
  }

  // ---- schedules -----------------------------------------------------------------------------

  @Override
  public void defineSchedules(List<StoredSchedule> defined, Instant now) {
    schedules.define(defined, now);
  }

  @Override
  public List<ScheduleState> schedules() {
    return schedules.all();
  }

  @Override
  public @Nullable Long fireSchedule(String name, @Nullable Instant last, Instant at, NewJob job) {
    return schedules.fire(name, last, at, job);
  }

  @Override
  public boolean skipSchedule(String name, @Nullable Instant last, Instant at) {
    return schedules.skip(name, last, at);
  }

  @Override
  public boolean pauseSchedule(String name, boolean paused) {
    return schedules.pause(name, paused);
  }

  @Override
  public @Nullable Long runScheduleNow(String name, NewJob job) {
    return schedules.runNow(name, job);
  }

  @Override
  public void close() {
    db.close();
  }
}
