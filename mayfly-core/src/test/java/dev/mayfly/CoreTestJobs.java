package dev.mayfly;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;

public final class CoreTestJobs {
  private CoreTestJobs() {}

  /** Works for a few milliseconds and logs which process did it. */
  @JobType(value = "work", timeoutSeconds = 60)
  public static final class Work implements Job<Work.Args> {
    public record Args(int n, long millis) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      Thread.sleep(args.millis());
      System.out.println("printed by job " + args.n());
      ctx.log().info("work " + args.n() + " in pid " + ProcessHandle.current().pid());
      return Outcome.success();
    }
  }

  @JobType(value = "hours", timeoutSeconds = 7200)
  public static final class Hours implements Job<Hours.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  /** May run five minutes: fits runners that live 10, not runners that live 2. */
  @JobType(value = "five-minutes", timeoutSeconds = 300)
  public static final class FiveMinutes implements Job<FiveMinutes.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      return Outcome.success();
    }
  }

  /** Ends its runner's JVM with {@code System.exit(status)}. */
  @JobType(value = "exits", maxAttempts = 2, backoffSeconds = 0)
  public static final class Exits implements Job<Exits.Args> {
    public record Args(int status) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) throws InterruptedException {
      // A runner starts watching for a job's System.exit after its first heartbeat interval (so
      // as not to slow its start): until then it tells only that the job exited, not the status.
      var runtime = java.util.logging.Logger.getLogger("java.lang.Runtime");
      for (int i = 0; i < 1_000 && !runtime.isLoggable(java.util.logging.Level.FINE); i++) {
        Thread.sleep(10);
      }
      System.exit(args.status());
      return Outcome.success();
    }
  }

  /** Outlasts a SIGTERM's grace: it ignores interrupts for a minute. */
  @JobType(value = "stubborn", maxAttempts = 2, backoffSeconds = 0)
  public static final class Stubborn implements Job<Stubborn.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      long end = System.nanoTime() + java.time.Duration.ofMinutes(1).toNanos();
      while (System.nanoTime() < end) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException ignored) {
          // stubborn
        }
      }
      return Outcome.success();
    }
  }

  /**
   * Prints {@code lines} numbered lines of about 100 bytes, one line of {@code longLine} bytes
   * without a break second, and logs {@code logged} lines through its context.
   */
  @JobType(value = "flood", timeoutSeconds = 300)
  public static final class Flood implements Job<Flood.Args> {
    public record Args(int lines, int longLine, int logged) {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      String pad = "-".repeat(80);
      System.out.println("printed 0 " + pad);
      System.out.println("L".repeat(args.longLine()));
      StringBuilder chunk = new StringBuilder();
      for (int i = 1; i < args.lines(); i++) {
        chunk.append("printed ").append(i).append(' ').append(pad).append('\n');
        if (chunk.length() > 64 * 1024) {
          System.out.print(chunk);
          chunk.setLength(0);
        }
      }
      System.out.print(chunk);
      System.out.flush();
      for (int i = 0; i < args.logged(); i++) {
        ctx.log().info("logged " + i);
      }
      return Outcome.success();
    }
  }

  /** Always throws. */
  @JobType(value = "poison", maxAttempts = 3, backoffSeconds = 0)
  public static final class Poison implements Job<Poison.Args> {
    public record Args() {}

    @Override
    public Outcome perform(Args args, JobContext ctx) {
      throw new IllegalStateException("poison, attempt " + ctx.attempt());
    }
  }
}
