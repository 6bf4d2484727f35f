package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.dashboard.Dashboard;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    description =
        "Dispatch every queue until stopped: launch runners on demand, recover from crashes;"
            + " serve the dashboard.")
final class ServeCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--queue",
      paramLabel = "Q",
      description = "Apply --max-runners/--jobs-per-runner to this queue only")
  @Nullable String queue;

  @Option(names = "--max-runners", paramLabel = "N")
  @Nullable Integer maxRunners;

  @Option(names = "--jobs-per-runner", paramLabel = "N")
  @Nullable Integer jobsPerRunner;

  @Mixin DashboardOptions dashboardOptions;

  @Override
  public Integer call() throws InterruptedException {
    MayflyConfig config =
        CommonOptions.withOverrides(common.builder(), queue, maxRunners, jobsPerRunner);
    dashboardOptions.check(config);
    CountDownLatch stopped = new CountDownLatch(1);
    try (Mayfly mayfly = Mayfly.create(config).start();
        Dashboard dashboard = dashboardOptions.start(mayfly, false)) {
      var out = spec.commandLine().getOut();
      out.println("mayfly serve: dispatching; Ctrl-C to stop");
      if (dashboard != null) {
        out.println("dashboard: " + dashboard.url());
      }
      out.println(config.describe());
      out.flush();
      Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "mayfly-serve-stop"));
      stopped.await();
    }
    return 0;
  }
}
