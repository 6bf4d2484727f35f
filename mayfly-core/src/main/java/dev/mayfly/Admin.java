package dev.mayfly;

import dev.mayfly.api.InvalidJobException;
import dev.mayfly.api.JobDetail;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import dev.mayfly.cost.CostReport;
import dev.mayfly.cost.PriceTable;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.store.Fleet;
import dev.mayfly.store.Intake;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.KeyHeld;
import dev.mayfly.store.ReadModel;
import dev.mayfly.store.RetriedDead;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Reading and managing what Mayfly stored. The CLI and the dashboard use only this, so a script can
 * do anything they do.
 */
public final class Admin {
  private final ReadModel reads;
  private final Intake intake;
  private final Fleet fleet; // its demand: the ready jobs no runner may take
  private final InstantSource clock;
  private final PriceTable prices;

  private final Scheduler schedules;
  private final java.util.function.Function<String, QueueConfig> queues;
  private final JobTypes types;

  Admin(
      JobStore store,
      InstantSource clock,
      PriceTable prices,
      Scheduler schedules,
      java.util.function.Function<String, QueueConfig> queues,
      JobTypes types) {
    this.reads = store.reads();
    this.intake = store.intake();
    this.fleet = store.fleet();
    this.types = types;
    this.queues = queues;
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

  /** Job counts and runners per queue, with the ready jobs no runner of the queue may take. */
  public List<QueueCounts> queues() {
    Instant now = clock.instant();
    Map<String, Long> unrunnable = new java.util.HashMap<>();
    fleet
        .demand(now, q -> queues.apply(q).longestJob().toMillis())
        .forEach(d -> unrunnable.put(d.queue(), d.unrunnable()));
    return reads.counts(now).stream()
        .map(
            c -> {
              long n = unrunnable.getOrDefault(c.queue(), 0L);
              return n == 0 ? c : c.withUnrunnable(n, JobMaker.unrunnable(queues.apply(c.queue())));
            })
        .toList();
  }

  public List<JobInfo> jobs(JobFilter filter) {
    return reads.jobs(filter, clock.instant());
  }

  public Optional<JobInfo> job(long id) {
    return reads.job(id, clock.instant());
  }

  /** A job with every attempt and its log lines. */
  public Optional<JobDetail> jobDetail(long id) {
    return job(id).map(j -> new JobDetail(j, reads.attempts(id), reads.jobLog(id)));
  }

  public List<RunnerInfo> runners(RunnerFilter filter) {
    return reads.runners(filter, clock.instant());
  }

  public Optional<RunnerInfo> runner(String id) {
    return reads.runner(id, clock.instant());
  }

  public List<LogLine> runnerOutput(String id) {
    return reads.runnerOutput(id);
  }

  /** How many jobs finished (succeeded, dead or cancelled) per queue in the last minute. */
  public Map<String, Long> finishedLastMinute() {
    return reads.finishedSince(clock.instant().minusSeconds(60));
  }

  /** The runner-seconds billed by every runner still in the store (pruning removes old ones). */
  public double billedSeconds() {
    return reads.billedSeconds(clock.instant());
  }

  /**
   * What the runners launched since {@code since} billed, against always-on workers of the same
   * sizes over the same period.
   */
  public CostReport cost(Instant since) {
    Instant now = clock.instant();
    return CostAccounting.report(reads.usage(since, now), prices, since, now);
  }

  /**
   * Runs a dead, failed or cancelled job again now; empty if there is no such job.
   *
   * @throws IllegalStateException if another job with its unique key is queued, running or waiting
   *     to retry (at most one such job per key): the message names that job; nothing is changed
   */
  public Optional<JobInfo> retry(long id) {
    Instant now = clock.instant();
    Optional<JobInfo> job = reads.job(id, now);
    String misfit = job.map(this::misfit).orElse(null);
    if (misfit != null) {
      throw new InvalidJobException("job " + id + " was not retried: " + misfit);
    }
    return intake.retry(id, now);
  }

  /**
   * Why no runner of its queue may take {@code job}, or null if one may (or its type is unknown).
   */
  private @Nullable String misfit(JobInfo job) {
    return types
        .find(job.type())
        .map(d -> JobMaker.misfit(d.name(), d.timeout(), queues.apply(job.queue())))
        .orElse(null);
  }

  /**
   * Runs every dead job again that can be: one whose unique key a live job holds stays dead, and of
   * dead jobs sharing a key the newest goes back. Neither stops the others.
   */
  public DeadRetried retryDead() {
    Instant now = clock.instant();
    // Dead jobs no runner of their queue may take (their queue's time-to-live was lowered) stay
    // dead and are listed: retried, they would wait for ever. The others go back set-wise when
    // there are none such, one by one otherwise.
    List<JobInfo> dead = new java.util.ArrayList<>();
    JobFilter page = JobFilter.all().state(JobState.DEAD).limit(1000);
    for (List<JobInfo> jobs = reads.jobs(page, now); !jobs.isEmpty(); ) {
      dead.addAll(jobs);
      jobs = jobs.size() < 1000 ? List.of() : reads.jobs(page.before(jobs.getLast().id()), now);
    }
    if (dead.stream().allMatch(j -> misfit(j) == null)) {
      RetriedDead r = intake.retryDead(now);
      return new DeadRetried(
          r.retried().size(),
          r.refused().stream()
              .map(k -> new NotRetried(k.jobId(), k.uniqueKey(), k.holder(), k.reason()))
              .toList());
    }
    int retried = 0;
    List<NotRetried> refused = new java.util.ArrayList<>();
    for (JobInfo j : dead) {
      String misfit = misfit(j);
      if (misfit != null) {
        refused.add(new NotRetried(j.id(), null, null, misfit));
        continue;
      }
      try {
        retried += intake.retry(j.id(), now).isPresent() ? 1 : 0;
      } catch (dev.mayfly.store.KeyHeldException e) {
        KeyHeld held = e.held();
        refused.add(new NotRetried(j.id(), held.uniqueKey(), held.holder(), held.reason()));
      }
    }
    return new DeadRetried(retried, refused);
  }

  /**
   * What {@link #retryDead} did.
   *
   * @param retried how many dead jobs went back to the queue
   * @param refused the dead jobs that stayed dead, each with why
   */
  public record DeadRetried(int retried, List<NotRetried> refused) {}

  /**
   * A dead job left dead: at most one job per unique key may be unfinished, and job {@code heldBy}
   * is.
   *
   * @param uniqueKey the key a live job holds, when that is why; null for a job no runner of its
   *     queue may take
   * @param heldBy the live job holding the key, or null
   * @param reason for people: "a live job 7 holds unique key 'k'", or why no runner may take it
   */
  public record NotRetried(
      long id, @Nullable String uniqueKey, @Nullable Long heldBy, String reason) {}

  /** Cancels a queued job, or asks a running one to stop; empty if there is no such job. */
  public Optional<JobInfo> cancel(long id) {
    return intake.cancel(id, clock.instant());
  }
}
