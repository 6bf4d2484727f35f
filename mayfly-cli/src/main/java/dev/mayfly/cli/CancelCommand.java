package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "cancel",
    description =
        "Cancel a job: a queued one never starts; a running one sees its cancellation flag.")
final class CancelCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "ID")
  long id;

  @Option(names = "--json", description = "Print the job as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.openExisting()) {
      JobInfo j = mayfly.admin().cancel(id).orElseThrow(() -> CommonOptions.noSuchJob(id));
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, j);
      } else {
        out.println(
            "job "
                + j.id()
                + " is "
                + j.state().wireName()
                + (j.state().isFinished() ? "" : " (its runner has been asked to stop it)"));
      }
      out.flush();
    }
    return 0;
  }
}
