package dev.mayfly.cli.examples;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

/**
 * Always throws: for watching a failing job retried, seconds apart, until it is dead ({@code
 * {"message": "boom"}}).
 */
@JobType(value = "fail", maxAttempts = 3, backoffSeconds = 2)
public final class FailJob implements Job<FailJob.Args> {
  public record Args(String message) {}

  @Override
  public Outcome perform(Args args, JobContext ctx) {
    ctx.log().warn("about to fail on purpose (attempt " + ctx.attempt() + ")");
    throw new IllegalStateException(args.message());
  }
}
