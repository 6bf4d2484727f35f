package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobInfo;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "retry",
    description = "Run a dead, failed or cancelled job again now, or every dead job.")
final class RetryCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @ArgGroup(multiplicity = "1")
  Target target;

  static final class Target {
    @Parameters(paramLabel = "ID", description = "The job to retry")
    @Nullable Long id;

    @Option(names = "--dead", description = "Every dead job")
    boolean dead;
  }

  @Option(names = "--json", description = "Print the job, or {\"retried\": N}, as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.open()) {
      var out = spec.commandLine().getOut();
      if (target.dead) {
        int n = mayfly.admin().retryDead();
        if (json) {
          Output.json(out, Map.of("retried", n));
        } else {
          out.println("retried " + n + " dead job(s)");
        }
        return 0;
      }
      long id = Objects.requireNonNull(target.id, "picocli requires an ID or --dead");
      JobInfo j = mayfly.admin().retry(id).orElseThrow(() -> CommonOptions.noSuchJob(id));
      if (json) {
        Output.json(out, j);
      } else {
        out.println("job " + j.id() + " is " + j.state().wireName());
      }
      out.flush();
    }
    return 0;
  }
}
