package dev.mayfly.cli.examples;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

/** Always throws: for watching how failures are recorded ({@code {"message": "boom"}}). */
@JobType("fail")
public final class FailJob implements Job<FailJob.Args> {
  public record Args(String message) {}

  @Override
  public Outcome perform(Args args, JobContext ctx) {
    ctx.log().warn("about to fail on purpose (attempt " + ctx.attempt() + ")");
    throw new IllegalStateException(args.message());
  }
}
