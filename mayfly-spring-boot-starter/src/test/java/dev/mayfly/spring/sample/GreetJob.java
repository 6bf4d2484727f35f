package dev.mayfly.spring.sample;

import dev.mayfly.api.Job;
import dev.mayfly.api.JobContext;
import dev.mayfly.api.JobType;
import dev.mayfly.api.Outcome;
import org.springframework.stereotype.Component;

/** A job that is a bean: its constructor takes another bean. */
@Component
@JobType("greet")
public class GreetJob implements Job<GreetJob.Args> {
  public record Args(String name) {}

  private final Greeter greeter;

  public GreetJob(Greeter greeter) {
    this.greeter = greeter;
  }

  @Override
  public Outcome perform(Args args, JobContext ctx) {
    ctx.log().info(greeter.greet(args.name()));
    return Outcome.success();
  }
}
