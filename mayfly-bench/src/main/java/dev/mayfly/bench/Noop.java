package dev.mayfly.bench;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

/** The benchmark's job: does nothing but count itself and, if asked, its start latency. */
@JobType(value = "bench-noop", timeoutSeconds = 60)
public final class Noop implements Job<Noop.Args> {

  /**
   * @param enqueuedNanos {@link System#nanoTime()} at enqueue, or 0 when not measured
   */
  public record Args(long enqueuedNanos) {}

  @Override
  public Outcome perform(Args args, JobContext ctx) {
    Probe.executed(args.enqueuedNanos());
    return Outcome.success();
  }
}
