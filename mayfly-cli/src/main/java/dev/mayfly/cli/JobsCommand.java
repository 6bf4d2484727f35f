package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "jobs", description = "List jobs, newest first.")
final class JobsCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--state",
      paramLabel = "S",
      description = "queued, scheduled, running, succeeded, failed, dead or cancelled")
  @Nullable String state;

  @Option(names = "--queue", paramLabel = "Q")
  @Nullable String queue;

  @Option(names = "--type", paramLabel = "TYPE")
  @Nullable String type;

  @Option(
      names = "--limit",
      defaultValue = "50",
      description = "At most this many (default: ${DEFAULT-VALUE})")
  int limit;

  @Option(
      names = "--before",
      paramLabel = "ID",
      description = "Only jobs older than job ID: the next page after a page that ended with ID")
  @Nullable Long before;

  @Option(names = "--json", description = "Print a JSON array of jobs")
  boolean json;

  @Override
  public Integer call() {
    JobState s = state == null ? null : JobState.parse(state);
    if (limit < 1) {
      throw new IllegalArgumentException("--limit must be at least 1, was " + limit);
    }
    if (before != null && before < 1) {
      throw new IllegalArgumentException("--before must be a job id (1 or more), was " + before);
    }
    try (Mayfly mayfly = common.openExisting()) {
      List<JobInfo> jobs =
          mayfly
              .admin()
              .jobs(JobFilter.all().state(s).queue(queue).type(type).before(before).limit(limit));
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, jobs);
        return 0;
      }
      Output.table(
          out,
          List.of(
              "ID", "TYPE", "QUEUE", "STATE", "ATTEMPTS", "RUNNER", "ENQUEUED", "TOOK", "ERROR"),
          jobs.stream()
              .map(
                  j ->
                      List.of(
                          Long.toString(j.id()),
                          j.type(),
                          j.queue(),
                          j.state().wireName(),
                          Integer.toString(j.attempts()),
                          j.runnerId() == null ? "-" : j.runnerId(),
                          Output.time(j.enqueuedAt()),
                          Output.duration(j.startedAt(), j.finishedAt()),
                          Output.firstLine(j.error())))
              .toList());
      if (jobs.size() == limit) {
        out.println("more: add --before " + jobs.getLast().id() + " for the next page");
      }
    }
    return 0;
  }
}
