package dev.mayfly;

import dev.mayfly.api.JobDetail;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.cost.CostReport;
import dev.mayfly.cost.PriceTable;
import dev.mayfly.store.JobStore;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reading and managing what Mayfly stored. The CLI and the dashboard use only this, so a script can
 * do anything they do.
 */
public final class Admin {
  private final JobStore store;
  private final InstantSource clock;
  private final PriceTable prices;

  private final Scheduler schedules;

  Admin(JobStore store, InstantSource clock, PriceTable prices, Scheduler schedules) {
    this.store = store;
    this.clock = clock;
    this.prices = prices;
    this.schedules = schedules;
  }

  /** Every stored schedule, by name, with its next fire time. */
  public List<dev.mayfly.api.ScheduleInfo> schedules() {
    return schedules.infos(clock.instant());
  }

  /**
   * Enqueues a job of schedule {@code name} now, outside its times; returns its id.
   *
   * @throws IllegalArgumentException if there is no such schedule, naming those there are
   */
  public long runSchedule(String name) {
    return schedules.runNow(name, clock.instant());
  }

  /**
   * Pauses (no fire time fires; each passes unhandled) or resumes a schedule. A resumed schedule
   * catches up by its policy.
   *
   * @throws IllegalArgumentException if there is no such schedule, naming those there are
   */
  public void pauseSchedule(String name, boolean paused) {
    schedules.pause(name, paused);
  }

  /** Now, by the clock Mayfly was configured with. */
  public Instant now() {
    return clock.instant();
  }

  public List<QueueCounts> queues() {
    return store.counts(clock.instant());
  }

  public List<JobInfo> jobs(JobFilter filter) {
    return store.jobs(filter, clock.instant());
  }

  public Optional<JobInfo> job(long id) {
    return store.job(id, clock.instant());
  }

  /** A job with every attempt and its log lines. */
  public Optional<JobDetail> jobDetail(long id) {
    return job(id).map(j -> new JobDetail(j, store.attempts(id), store.jobLog(id)));
  }

  public List<RunnerInfo> runners(RunnerFilter filter) {
    return store.runners(filter, clock.instant());
  }

  public Optional<RunnerInfo> runner(String id) {
    return store.runner(id, clock.instant());
  }

  public List<LogLine> runnerOutput(String id) {
    return store.runnerOutput(id);
  }

  /** How many jobs finished (succeeded, dead or cancelled) per queue in the last minute. */
  public Map<String, Long> finishedLastMinute() {
    return store.finishedSince(clock.instant().minusSeconds(60));
  }

  /** The runner-seconds billed by every runner still in the store (pruning removes old ones). */
  public double billedSeconds() {
    return store.billedSeconds(clock.instant());
  }

  /**
   * What the runners launched since {@code since} billed, against always-on workers of the same
   * sizes over the same period.
   */
  public CostReport cost(Instant since) {
    Instant now = clock.instant();
    return CostAccounting.report(store.usage(since, now), prices, since, now);
  }

  /** Runs a dead, failed or cancelled job again now; empty if there is no such job. */
  public Optional<JobInfo> retry(long id) {
    return store.retry(id, clock.instant());
  }

  /** Runs every dead job again; returns how many. */
  public int retryDead() {
    return store.retryDead(clock.instant());
  }

  /** Cancels a queued job, or asks a running one to stop; empty if there is no such job. */
  public Optional<JobInfo> cancel(long id) {
    return store.cancel(id, clock.instant());
  }
}
