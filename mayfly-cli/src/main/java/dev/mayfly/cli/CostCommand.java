package dev.mayfly.cli;

import dev.mayfly.Mayfly;
import dev.mayfly.cost.CostReport;
import dev.mayfly.internal.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "cost",
    description =
        "What runners billed, per day and per queue, against always-on workers of the same size.")
final class CostCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--since",
      defaultValue = "30d",
      paramLabel = "DURATION",
      description = "How far back, such as 24h or 30d (default: ${DEFAULT-VALUE})")
  String since;

  @Option(names = "--json", description = "Print the report as JSON (the fields of GET /api/cost)")
  boolean json;

  @Override
  public Integer call() {
    Duration back = Durations.parse(since, "--since", Durations.LONGEST);
    try (Mayfly mayfly = common.openExisting()) {
      CostReport report = mayfly.admin().cost(mayfly.admin().now().minus(back));
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, report);
      } else {
        print(out, report);
      }
    }
    return 0;
  }

  static void print(PrintWriter out, CostReport r) {
    CostReport.Usage t = r.total();
    out.printf(
        Locale.ROOT,
        "Runners since %s: %d runners ran %d jobs, billed %s (start-up %s, busy %s, idle %s)%n",
        Output.time(r.since()),
        t.runners(),
        t.jobsRun(),
        seconds(t.billedSeconds()),
        seconds(t.startupSeconds()),
        seconds(t.busySeconds()),
        seconds(t.idleSeconds()));
    out.printf(
        Locale.ROOT,
        "One-off runners cost %s; always-on workers of the same sizes over the same %s: %s%n%n",
        money(t.cost()),
        seconds(r.windowSeconds()),
        money(t.alwaysOnCost()));
    List<List<String>> rows = new ArrayList<>();
    for (CostReport.Queue q : r.byQueue()) {
      CostReport.Usage u = q.usage();
      rows.add(
          List.of(
              q.queue(),
              q.launcher(),
              q.size(),
              Integer.toString(u.runners()),
              Integer.toString(u.jobsRun()),
              seconds(u.billedSeconds()),
              seconds(u.busySeconds()),
              money(u.cost()),
              Integer.toString(q.peakRunners()),
              money(q.alwaysOnCost()),
              q.priceBasis()));
    }
    Output.table(
        out,
        List.of(
            "QUEUE",
            "LAUNCHER",
            "SIZE",
            "RUNNERS",
            "JOBS",
            "BILLED",
            "BUSY",
            "COST",
            "PEAK",
            "ALWAYS-ON",
            "PRICED"),
        rows);
    out.println();
    List<List<String>> days = new ArrayList<>();
    for (CostReport.Day d : r.byDay()) {
      CostReport.Usage u = d.usage();
      days.add(
          List.of(
              d.day().toString(),
              Integer.toString(u.runners()),
              seconds(u.billedSeconds()),
              seconds(u.startupSeconds()),
              seconds(u.busySeconds()),
              seconds(u.idleSeconds()),
              money(u.cost()),
              money(u.alwaysOnCost())));
    }
    Output.table(
        out,
        List.of("DAY (UTC)", "RUNNERS", "BILLED", "START-UP", "BUSY", "IDLE", "COST", "ALWAYS-ON"),
        days);
  }

  private static String seconds(double s) {
    return s < 600
        ? String.format(Locale.ROOT, "%.1fs", s)
        : Durations.format(Duration.ofSeconds((long) s));
  }

  /** Dollars, with enough digits that a few runner-seconds do not show as $0.00. */
  static String money(double d) {
    return d >= 1 || d == 0
        ? String.format(Locale.ROOT, "$%.2f", d)
        : String.format(Locale.ROOT, "$%.6f", d);
  }
}
