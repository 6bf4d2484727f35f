package dev.mayfly.cli;

import dev.mayfly.Admin;
import dev.mayfly.Mayfly;
import dev.mayfly.api.JobInfo;
import dev.mayfly.store.KeyHeldException;
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

  @Option(
      names = "--json",
      description = "Print the job, or {\"retried\": N, \"refused\": [...]}, as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.openExisting()) {
      var out = spec.commandLine().getOut();
      if (target.dead) {
        Admin.DeadRetried r = mayfly.admin().retryDead();
        if (json) {
          Output.json(out, r);
        } else {
          out.println("retried " + r.retried() + " dead job(s)");
          for (Admin.NotRetried n : r.refused()) {
            out.println("job " + n.id() + " not retried: " + n.reason());
          }
        }
        out.flush();
        return 0;
      }
      long id = Objects.requireNonNull(target.id, "picocli requires an ID or --dead");
      JobInfo j;
      try {
        j = mayfly.admin().retry(id).orElseThrow(() -> CommonOptions.noSuchJob(id));
      } catch (KeyHeldException e) {
        throw new IllegalArgumentException(e.getMessage(), e); // a usage error: exit 2
      }
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
