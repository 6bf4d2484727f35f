package dev.mayfly.runner;

import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobLogger;
import dev.mayfly.api.LogLine;
import dev.mayfly.protocol.HeadAndTail;
import dev.mayfly.protocol.LineCap;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.store.ClaimedJob;
import dev.mayfly.store.RunnerQueue;
import java.io.PrintStream;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One execution of one job: its context, and the log lines waiting to be stored. Each line is cut
 * at the runner's {@code maxLine}, and the attempt's log kept to its head and tail within {@code
 * maxLog} ({@link HeadAndTail}): the tail is stored when the attempt ends ({@link #finishLog}).
 */
final class Execution implements JobContext, JobLogger {
  private final ClaimedJob job;
  private final String runnerId;
  private final Instant deadline;
  private final RunnerQueue store;
  private final InstantSource clock;
  private final PrintStream out;
  private final List<LogLine> pending = new ArrayList<>();
  private final int maxLine;

  /** Guarded by {@code pending}. */
  private final HeadAndTail logged;

  private volatile boolean cancelled;

  Execution(
      ClaimedJob job,
      String runnerId,
      Instant deadline,
      RunnerQueue store,
      InstantSource clock,
      PrintStream out,
      int maxLine,
      long maxLog) {
    this.maxLine = maxLine;
    this.logged = new HeadAndTail(maxLog);
    this.job = job;
    this.runnerId = runnerId;
    this.deadline = deadline;
    this.store = store;
    this.clock = clock;
    this.out = out;
  }

  @Override
  public long jobId() {
    return job.id();
  }

  @Override
  public int attempt() {
    return job.attempt();
  }

  String jobType() {
    return job.type();
  }

  ClaimedJob job() {
    return job;
  }

  @Override
  public String queue() {
    return job.queue();
  }

  @Override
  public String runnerId() {
    return runnerId;
  }

  @Override
  public JobLogger log() {
    return this;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  private volatile @Nullable JobThread worker;

  /** Marks the job cancelled; true the first time. */
  boolean cancel() {
    boolean first = !cancelled;
    cancelled = true;
    return first;
  }

  void runsOn(JobThread t) {
    worker = t;
  }

  void interrupt() {
    JobThread t = worker;
    if (t != null) {
      t.interrupt(this);
    }
  }

  @Override
  public void info(String message) {
    add("info", message);
  }

  @Override
  public void warn(String message) {
    add("warn", message);
  }

  @Override
  public void error(String message) {
    add("error", message);
  }

  private void add(String level, String message) {
    String text = LineCap.cut(String.valueOf(message), maxLine);
    synchronized (pending) {
      LogLine line = new LogLine(clock.instant(), level, text);
      if (logged.offer(line)) {
        pending.add(line);
      }
    }
    out.println(OutputMarkers.jobLogged(job.id(), level, text));
  }

  /**
   * Stores the lines logged since the last flush, and the log's tail: the attempt is over, or given
   * back.
   */
  void finishLog() {
    synchronized (pending) {
      pending.addAll(logged.end("info"));
    }
    flushLog();
  }

  /** Stores the lines logged since the last flush. */
  void flushLog() {
    List<LogLine> batch;
    synchronized (pending) {
      if (pending.isEmpty()) {
        return;
      }
      batch = new ArrayList<>(pending);
      pending.clear();
    }
    try {
      store.appendLog(job.id(), job.attempt(), batch);
    } catch (RuntimeException e) {
      synchronized (pending) { // keep them for the next flush
        pending.addAll(0, batch);
      }
      throw e;
    }
  }
}
