package dev.mayfly.store;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.QueueCounts;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the CLI, the dashboard, the HTTP API and cost accounting read: jobs, attempts and logs,
 * runners and their output, counts and costs. Reads only; {@code now} tells a queued job from a
 * scheduled one and an alive runner's billed time so far.
 *
 * <p>Contract tests: {@code ReadModelContract} in this module's test jar.
 */
public interface ReadModel {

  Optional<JobInfo> job(long jobId, Instant now);

  /** Jobs matching {@code filter}, newest first, a page at a time ({@link JobFilter#before}). */
  List<JobInfo> jobs(JobFilter filter, Instant now);

  /** A job's attempts, the one running now included, in order. */
  List<AttemptInfo> attempts(long jobId);

  /**
   * A job's log: the lines it logged through its context and those it printed (stored once, in its
   * runners' output), attempt by attempt, in time order.
   */
  List<LogLine> jobLog(long jobId);

  /** Runners matching {@code filter}, latest launched first, a page at a time. */
  List<RunnerInfo> runners(RunnerFilter filter, Instant now);

  Optional<RunnerInfo> runner(String runnerId, Instant now);

  /** What a runner printed, in the order it printed it. */
  List<LogLine> runnerOutput(String runnerId);

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
}
