package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "runners", description = "List runners (one-off processes), newest first.")
final class RunnersCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--queue", paramLabel = "Q")
  @Nullable String queue;

  @Option(names = "--alive", description = "Only runners launching or running")
  boolean alive;

  @Option(
      names = "--output",
      paramLabel = "RUNNER_ID",
      description = "Print one runner's captured output")
  @Nullable String output;

  @Option(
      names = "--limit",
      defaultValue = "50",
      description = "At most this many (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = "--before",
      paramLabel = "RUNNER_ID",
      description = "Only runners listed after RUNNER_ID: the next page after one that ended there")
  @Nullable String before;

  @Option(names = "--json", description = "Print a JSON array of runners")
  boolean json;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new IllegalArgumentException("--limit must be at least 1, was " + limit);
    }
    try (Mayfly mayfly = common.openExisting()) {
      var out = spec.commandLine().getOut();
      if (output != null) {
        if (mayfly.admin().runner(output).isEmpty()) {
          throw new IllegalArgumentException("there is no runner " + output);
        }
        List<LogLine> lines = mayfly.admin().runnerOutput(output);
        if (json) {
          Output.json(out, lines);
        } else {
          lines.forEach(l -> out.println(l.message()));
        }
        return 0;
      }
      if (before != null) {
        if (mayfly.admin().runner(before).isEmpty()) {
          throw new IllegalArgumentException(
              "--before: there is no runner " + before + "; give a listed runner's id");
        }
      }
      RunnerFilter filter = RunnerFilter.all().queue(queue).before(before).limit(limit);
      if (alive) {
        filter = filter.alive(true);
      }
      List<RunnerInfo> runners = mayfly.admin().runners(filter);
      if (json) {
        Output.json(out, runners);
        return 0;
      }
      Output.table(
          out,
          List.of(
              "ID",
              "QUEUE",
              "LAUNCHER",
              "PLATFORM ID",
              "STATE",
              "LAUNCHED",
              "EXIT",
              "JOBS",
              "BILLED",
              "ERROR"),
          runners.stream()
              .map(
                  r ->
                      List.of(
                          r.id(),
                          r.queue(),
                          r.launcher(),
                          r.platformId() == null ? "-" : r.platformId(),
                          r.state().wireName(),
                          Output.time(r.launchedAt()),
                          r.exitCode() == null ? "-" : r.exitCode().toString(),
                          Integer.toString(r.jobsRun()),
                          String.format(Locale.ROOT, "%.1fs", r.billedSeconds()),
                          Output.firstLine(r.error())))
              .toList());
      if (runners.size() == limit) {
        out.println("more: add --before " + runners.getLast().id() + " for the next page");
      }
    }
    return 0;
  }
}
