package dev.mayfly.cli;

import dev.mayfly.DispatchListener;
import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "tick",
    description =
        "One dispatcher pass, then exit: fire due schedules, recover expired leases, launch"
            + " runners for ready work. For apps with nothing always on: run it every few minutes"
            + " from Heroku Scheduler or a Kubernetes CronJob.")
final class TickCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    MayflyConfig config = common.builder().build();
    AtomicInteger launched = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    int fired;
    try (Mayfly mayfly = Mayfly.create(config)) {
      mayfly.addListener(
          new DispatchListener() {
            @Override
            public void launched(String queue, String launcher, Duration took) {
              launched.incrementAndGet();
            }

            @Override
            public void launchFailed(
                String queue, String launcher, boolean atCapacity, Duration took) {
              refused.incrementAndGet();
            }
          });
      fired = mayfly.runOnce();
    }
    spec.commandLine()
        .getOut()
        .printf(
            "mayfly tick: %d scheduled job(s) enqueued, %d runner(s) launched%s%n",
            fired,
            launched.get(),
            refused.get() == 0 ? "" : ", " + refused.get() + " launch(es) refused (see the log)");
    return 0;
  }
}
