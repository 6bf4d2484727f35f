package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.api.QueueCounts;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "queues", description = "Jobs per state and runners alive, per queue.")
final class QueuesCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print a JSON array (the fields of GET /api/queues)")
  boolean json;

  @Override
  public Integer call() {
    try (Mayfly mayfly = common.openExisting()) {
      var out = spec.commandLine().getOut();
      List<QueueCounts> queues = mayfly.admin().queues();
      if (json) {
        Output.json(out, queues);
        return 0;
      }
      Map<String, Long> perMinute = mayfly.admin().finishedLastMinute();
      Output.table(
          out,
          List.of(
              "QUEUE",
              "READY",
              "SCHEDULED",
              "RUNNING",
              "FAILED",
              "DEAD",
              "SUCCEEDED",
              "CANCELLED",
              "RUNNERS",
              "DONE/MIN"),
          queues.stream()
              .map(
                  q ->
                      List.of(
                          q.queue(),
                          Long.toString(q.queued()),
                          Long.toString(q.scheduled()),
                          Long.toString(q.running()),
                          Long.toString(q.failed()),
                          Long.toString(q.dead()),
                          Long.toString(q.succeeded()),
                          Long.toString(q.cancelled()),
                          Integer.toString(q.runnersAlive()),
                          Long.toString(perMinute.getOrDefault(q.queue(), 0L))))
              .toList());
      queues.stream()
          .filter(q -> q.unrunnable() > 0)
          .forEach(
              q ->
                  out.println(
                      "queue "
                          + q.queue()
                          + ": "
                          + q.unrunnable()
                          + " ready job(s) "
                          + q.problem()));
    }
    return 0;
  }
}
