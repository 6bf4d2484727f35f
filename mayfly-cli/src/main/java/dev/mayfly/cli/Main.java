package dev.mayfly.cli;

import dev.mayfly.api.InvalidJobException;
import dev.mayfly.store.StoreException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code mayfly}: run the demo, serve (dispatch), enqueue and inspect jobs and runners.
 *
 * <p>Exit codes: 0 success, 1 failure (a job failed under {@code demo --exit}, the store failed), 2
 * usage error (bad option, unknown job type, arguments that do not bind); nothing is written on a
 * usage error.
 */
@Command(
    name = "mayfly",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT, // --help (and --version) on every subcommand too
    versionProvider = Main.Version.class,
    description = "Serverless background jobs: every job runs in a one-off process.",
    subcommands = {
      DemoCommand.class,
      ServeCommand.class,
      TickCommand.class,
      SchedulesCommand.class,
      ScheduleCommand.class,
      EnqueueCommand.class,
      QueuesCommand.class,
      JobsCommand.class,
      JobCommand.class,
      RunnersCommand.class,
      RetryCommand.class,
      CancelCommand.class,
      CostCommand.class,
      BenchCommand.class,
      AotCommand.class,
      HerokuEmulatorCommand.class,
      KubernetesEmulatorCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main {
  public static final int USAGE = 2;

  public static void main(String[] args) {
    Logging.configure();
    System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs a command line, writing to the given streams; returns the exit code. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof InvalidJobException || e instanceof IllegalArgumentException) {
            err.println("mayfly: " + e.getMessage());
            return USAGE;
          }
          if (e instanceof StoreException) {
            err.println("mayfly: " + e.getMessage());
            return 1;
          }
          err.println("mayfly: unexpected error: " + e);
          e.printStackTrace(err);
          return 1;
        });
    return cli.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"mayfly " + (v == null ? "development build" : v)};
    }
  }
}
