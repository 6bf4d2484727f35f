package dev.mayfly.cli.examples;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import dev.mayfly.internal.time.SystemTime;
import java.util.function.LongSupplier;

/** Sleeps for a while: for trying queues and runners out ({@code {"millis": 500}}). */
@JobType("sleep")
public final class SleepJob implements Job<SleepJob.Args> {
  public record Args(long millis) {}

  @Override
  public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
    if (args.millis() < 0) {
      return Outcome.discard("millis must not be negative, was " + args.millis());
    }
    LongSupplier ticker = SystemTime.ticker();
    long end = ticker.getAsLong() + args.millis() * 1_000_000;
    // In slices, so a cancellation request is noticed within 100 ms.
    for (long left = args.millis(); left > 0; left = (end - ticker.getAsLong()) / 1_000_000) {
      if (ctx.isCancelled()) {
        return Outcome.discard("cancelled while sleeping");
      }
      Thread.sleep(Math.min(left, 100));
    }
    ctx.log().info("slept " + args.millis() + " ms");
    return Outcome.success();
  }
}
