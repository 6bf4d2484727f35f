package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobDetail;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.LogLine;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "job", description = "Show one job: arguments, attempts, errors and log lines.")
final class JobCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ID")
  long id;

  @Option(names = "--json", description = "Print {job, attempts, log} as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.openExisting()) {
      JobDetail d = mayfly.admin().jobDetail(id).orElseThrow(() -> CommonOptions.noSuchJob(id));
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, d);
        return 0;
      }
      JobInfo j = d.job();
      out.printf("job %d  %s  queue %s  %s%n", j.id(), j.type(), j.queue(), j.state().wireName());
      out.printf("args      %s%n", j.args());
      out.printf("enqueued  %s   run at %s%n", Output.time(j.enqueuedAt()), Output.time(j.runAt()));
      out.printf(
          "started   %s   finished %s   attempts %d   runner %s%n",
          Output.time(j.startedAt()),
          Output.time(j.finishedAt()),
          j.attempts(),
          j.runnerId() == null ? "-" : j.runnerId());
      for (AttemptInfo a : d.attempts()) {
        out.printf(
            "attempt %d on %s: %s after %s%n",
            a.attempt(), a.runnerId(), a.outcome(), Output.duration(a.startedAt(), a.finishedAt()));
        if (a.error() != null) {
          a.error().lines().forEach(l -> out.println("    " + l));
        }
      }
      if (!d.log().isEmpty()) {
        out.println("log:");
        for (LogLine l : d.log()) {
          out.printf("  %s %-5s %s%n", Output.time(l.at()), l.level(), l.message());
        }
      }
      out.flush();
    }
    return 0;
  }
}
