package dev.mayfly.cli;

import dev.mayfly.internal.time.SystemTime;
import dev.mayfly.launch.local.LocalLauncher;
import dev.mayfly.launch.local.LocalOptions;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

@Command(
    name = "aot",
    description =
        "Build the runner start-up cache now (a JDK AOT cache on JDK 25+, an AppCDS archive on JDK"
            + " 21-24) instead of in the background on the first launch. Kept in"
            + " $MAYFLY_CACHE_DIR, else ~/.cache/mayfly, keyed by JDK build, class path and JVM"
            + " options.")
final class AotCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** The store runners will open: {@code --db}, the environment, the configuration file. */
  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    LongSupplier ticker = SystemTime.ticker();
    long started = ticker.getAsLong();
    try (LocalLauncher launcher = new LocalLauncher(LocalOptions.defaults(), SystemTime.clock())) {
      // For PostgreSQL the training run connects to the database and runs a runner's statements
      // on an empty queue, changing nothing.
      String what = launcher.buildStartupCache(common.builder().build().databaseUrl());
      var out = spec.commandLine().getOut();
      out.printf("%s (%d ms)%n", what, (ticker.getAsLong() - started) / 1_000_000);
      out.flush();
      return what.startsWith("building") ? 1 : 0; // "building ... failed"
    }
  }
}
