package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.ScheduleInfo;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "schedules",
    description =
        "List the recurring jobs: cron, zone, next and last fire time, last job and its state.")
final class SchedulesCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print them as JSON")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.openExisting()) {
      List<ScheduleInfo> all = mayfly.admin().schedules();
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, all);
      } else {
        Output.table(
            out,
            List.of("NAME", "CRON", "ZONE", "TYPE", "NEXT", "LAST", "LAST JOB", "FIRED", "SKIPPED"),
            all.stream()
                .map(
                    s ->
                        List.of(
                            s.name(),
                            s.cron(),
                            s.zone(),
                            s.type(),
                            s.paused() ? "paused" : Output.time(s.nextFire()),
                            Output.time(s.lastFire()),
                            s.lastJobId() == null
                                ? "-"
                                : s.lastJobId()
                                    + (s.lastJobState() == null
                                        ? ""
                                        : " " + s.lastJobState().wireName()),
                            Long.toString(s.fired()),
                            Long.toString(s.skipped())))
                .toList());
      }
      out.flush();
    }
    return 0;
  }
}
