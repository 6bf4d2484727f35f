package dev.mayfly;

import dev.mayfly.api.LogLine;
import dev.mayfly.protocol.HeadAndTail;
import dev.mayfly.protocol.LineCap;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.store.OutputLine;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Lines a runner printed, each stored once, in batches rather than one write per line. What a job
 * printed (between the runner's start and end lines for it, {@link OutputMarkers}) is stored tagged
 * with its attempt, which is where the job's log reads it from; the lines a job logged through its
 * context are skipped, as the runner stored them in the job's log itself.
 *
 * <p>However much a runner prints, this holds a bounded amount ({@link OutputLimits}): each line is
 * cut at {@code maxLine}; each attempt's lines and the runner's own are kept to their head and tail
 * ({@link HeadAndTail}), the tails held until the attempt or the runner ends; and past {@code
 * FLUSH_AT} the thread that hands lines over stores a batch itself, so a runner that prints faster
 * than the database takes it is slowed down instead of buffered.
 */
final class RunnerOutputBuffer {
  private static final System.Logger LOG = System.getLogger("dev.mayfly.dispatch");

  private static final long FLUSH_AT = 256 * 1024;

  private final String runnerId;
  private final OutputLimits limits;
  private final InstantSource clock;
  private final LongAccumulator peak;
  private final Consumer<List<OutputLine>> store;
  private final OutputMarkers.Reader reader = new OutputMarkers.Reader();
  private final HeadAndTail own;
  private OutputMarkers.@Nullable JobAttempt attempt;
  private HeadAndTail attemptLines;
  private final List<OutputLine> pending = new ArrayList<>();
  private long pendingBytes;
  private boolean ended;

  /**
   * Held while a batch is written, so batches reach the store in the order they were taken (a lock
   * rather than a monitor: the launcher's reading thread may be virtual, and waits here).
   */
  private final java.util.concurrent.locks.ReentrantLock writing =
      new java.util.concurrent.locks.ReentrantLock();

  RunnerOutputBuffer(
      String runnerId,
      OutputLimits limits,
      InstantSource clock,
      LongAccumulator peak,
      Consumer<List<OutputLine>> store) {
    this.runnerId = runnerId;
    this.limits = limits;
    this.clock = clock;
    this.peak = peak;
    this.store = store;
    this.own = new HeadAndTail(limits.maxRunner());
    this.attemptLines = new HeadAndTail(limits.maxAttempt());
  }

  void add(String printed) {
    boolean full;
    synchronized (this) {
      if (ended) {
        return;
      }
      String line = LineCap.cut(printed, limits.maxLine());
      LogLine l = new LogLine(clock.instant(), "out", line);
      OutputMarkers.JobAttempt owner = reader.owner(line);
      if (attempt != null && !attempt.equals(reader.current())) {
        endAttempt(); // its tail goes before the line that ended it
      }
      if (owner != null) {
        if (attempt == null) {
          attempt = owner;
          attemptLines = new HeadAndTail(limits.maxAttempt());
        }
        if (attemptLines.offer(l)) {
          hold(OutputLine.job(l, owner.jobId(), owner.attempt()));
        }
      } else if (!reader.logged(line) && own.offer(l)) {
        hold(OutputLine.runner(l));
      }
      long held = pendingBytes + own.held() + (attempt == null ? 0 : attemptLines.held());
      peak.accumulate(held);
      full = pendingBytes >= FLUSH_AT;
    }
    if (full) {
      flush();
    }
  }

  private void hold(OutputLine line) {
    pending.add(line);
    pendingBytes += HeadAndTail.cost(line.line());
  }

  private void endAttempt() {
    OutputMarkers.JobAttempt a = attempt;
    if (a != null) {
      attemptLines.end("out").forEach(l -> hold(OutputLine.job(l, a.jobId(), a.attempt())));
      attempt = null;
    }
  }

  /** The runner has ended (or the dispatcher closes): stores the tails, and what is pending. */
  void end() {
    synchronized (this) {
      if (!ended) {
        ended = true;
        endAttempt();
        own.end("out").forEach(l -> hold(OutputLine.runner(l)));
      }
    }
    flush();
  }

  void flush() {
    writing.lock();
    try {
      List<OutputLine> batch;
      synchronized (this) {
        if (pending.isEmpty()) {
          return;
        }
        batch = new ArrayList<>(pending);
        pending.clear();
        pendingBytes = 0;
      }
      store.accept(batch);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "storing output of runner " + runnerId + " failed", e);
    } finally {
      writing.unlock();
    }
  }
}
