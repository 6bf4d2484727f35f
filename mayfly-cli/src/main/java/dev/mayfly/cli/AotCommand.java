package dev.mayfly.cli;

import dev.mayfly.launch.local.LocalLauncher;
import dev.mayfly.launch.local.LocalOptions;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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

  @Option(
      names = "--db",
      paramLabel = "URL",
      description =
          "The store runners will open: for PostgreSQL the training run connects to it and runs a"
              + " runner's statements on an empty queue, changing nothing. Default:"
              + " $MAYFLY_DATABASE_URL, then $DATABASE_URL, else SQLite")
  String db;

  @Override
  public Integer call() {
    long started = System.nanoTime();
    try (LocalLauncher launcher =
        new LocalLauncher(LocalOptions.defaults(), InstantSource.system())) {
      String url =
          db != null
              ? db
              : System.getenv().getOrDefault("MAYFLY_DATABASE_URL", System.getenv("DATABASE_URL"));
      String what = launcher.buildStartupCache(url);
      var out = spec.commandLine().getOut();
      out.printf("%s (%d ms)%n", what, (System.nanoTime() - started) / 1_000_000);
      out.flush();
      return what.startsWith("building") ? 1 : 0; // "building ... failed"
    }
  }
}
