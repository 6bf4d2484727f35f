package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.MayflyConfig;
import dev.mayfly.api.EnqueueOptions;
import dev.mayfly.internal.Durations;
import dev.mayfly.internal.jobs.JobTypes;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "enqueue",
    description =
        "Enqueue jobs. Example: mayfly enqueue sleep --args '{\"millis\": 500}' --count 20")
final class EnqueueCommand implements Callable<Integer> {
  private static final int MAX_COUNT = 1_000_000;

  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "TYPE",
      description = "Job type: analyse-commit, sleep, fail or one from the configuration")
  String type;

  @Option(
      names = "--args",
      paramLabel = "JSON",
      required = true,
      description = "Arguments, a JSON object bound to the type's record")
  String args;

  @Option(
      names = "--queue",
      paramLabel = "Q",
      defaultValue = EnqueueOptions.DEFAULT_QUEUE,
      description = "Queue (default: ${DEFAULT-VALUE})")
  String queue;

  @Option(
      names = "--in",
      paramLabel = "DELAY",
      description = "Run after this delay: 500ms, 30s, 5m, 2h")
  @Nullable String in;

  @Option(names = "--priority", defaultValue = "0", description = "Higher runs first (default: 0)")
  int priority;

  @Option(
      names = "--count",
      defaultValue = "1",
      description = "Enqueue this many identical jobs in one transaction")
  int count;

  @Option(
      names = "--unique",
      paramLabel = "KEY",
      description =
          "While a job with this key is unfinished, return its id instead of adding another")
  @Nullable String unique;

  @Option(names = "--json", description = "Print {\"ids\": [...]} as JSON")
  boolean json;

  @Override
  public Integer call() {
    EnqueueOptions options = EnqueueOptions.defaults().queue(queue).priority(priority);
    if (unique != null) {
      options = options.uniqueKey(unique);
    }
    if (in != null) {
      options = options.delay(Durations.parse(in, "--in", Durations.LONGEST));
    }
    // Everything about the jobs is checked before the store is opened: a refused command leaves no
    // store behind where there was none.
    MayflyConfig config = common.builder().build();
    if (count < 1 || count > MAX_COUNT) {
      throw new IllegalArgumentException(
          "--count must be from 1 to " + MAX_COUNT + ", was " + count);
    }
    if (unique != null && count > 1) {
      throw new IllegalArgumentException(
          "a unique key enqueues one job; drop --count or the unique key");
    }
    JobTypes types = JobTypes.of(config.jobs());
    types.validateJson(types.byName(type), args);
    try (Mayfly mayfly = Mayfly.create(config)) {
      List<Long> ids = mayfly.enqueueMany(type, args, options, count);
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, Map.of("ids", ids));
      } else if (ids.size() == 1) {
        out.println("enqueued job " + ids.getFirst() + " (" + type + ", queue " + queue + ")");
      } else {
        out.println(
            "enqueued "
                + ids.size()
                + " jobs "
                + ids.getFirst()
                + ".."
                + ids.getLast()
                + " ("
                + type
                + ", queue "
                + queue
                + ")");
      }
      out.flush();
    }
    return 0;
  }
}
