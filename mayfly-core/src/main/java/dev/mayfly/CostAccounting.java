package dev.mayfly;

import dev.mayfly.cost.CostReport;
import dev.mayfly.cost.PriceTable;
import dev.mayfly.store.RunnerUsage;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/** Turns the runners of a period into a {@link CostReport}. */
final class CostAccounting {
  private CostAccounting() {}

  public static CostReport report(
      List<RunnerUsage> runners, PriceTable prices, Instant since, Instant until) {
    Instant windowStart =
        runners.stream()
            .map(RunnerUsage::launchedAt)
            .min(Instant::compareTo)
            .map(first -> first.isAfter(since) ? first : since)
            .orElse(since);
    double window = Math.max(0, seconds(windowStart, until));

    record Group(String queue, String launcher, @Nullable String size) {}
    Map<Group, List<RunnerUsage>> groups =
        new TreeMap<>(
            java.util.Comparator.comparing(Group::queue)
                .thenComparing(Group::launcher)
                .thenComparing(g -> Objects.toString(g.size(), "")));
    Map<LocalDate, Sum> days = new TreeMap<>();
    Sum total = new Sum();
    List<CostReport.Queue> queues = new ArrayList<>();
    for (RunnerUsage r : runners) {
      groups
          .computeIfAbsent(new Group(r.queue(), r.launcher(), r.size()), g -> new ArrayList<>())
          .add(r);
    }
    for (var e : groups.entrySet()) {
      Group g = e.getKey();
      var price = prices.price(g.launcher(), g.size());
      double perHour = price.map(PriceTable.Price::perHour).orElse(0.0);
      Sum sum = new Sum();
      for (RunnerUsage r : e.getValue()) {
        LocalDate day = LocalDate.ofInstant(r.launchedAt(), ZoneOffset.UTC);
        sum.add(r, until, perHour);
        total.add(r, until, perHour);
        days.computeIfAbsent(day, d -> new Sum()).add(r, until, perHour);
      }
      int peak = peak(e.getValue(), until);
      for (LocalDate d = LocalDate.ofInstant(windowStart, ZoneOffset.UTC);
          !d.isAfter(LocalDate.ofInstant(until, ZoneOffset.UTC));
          d = d.plusDays(1)) {
        Instant from = max(d.atStartOfDay(ZoneOffset.UTC).toInstant(), windowStart);
        Instant to = min(d.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant(), until);
        double overlap = Math.max(0, seconds(from, to));
        days.computeIfAbsent(d, x -> new Sum()).alwaysOnCost += peak * overlap / 3600 * perHour;
      }
      double alwaysOn = peak * window / 3600 * perHour;
      double oneWorker = window / 3600 * perHour;
      sum.alwaysOnCost = alwaysOn;
      total.alwaysOnCost += alwaysOn;
      queues.add(
          new CostReport.Queue(
              g.queue(),
              g.launcher(),
              g.size() == null ? PriceTable.DEFAULT_SIZE : g.size(),
              price.map(PriceTable.Price::perHour).orElse(null),
              price
                  .map(PriceTable.Price::basis)
                  .orElse("no price for this size: set price." + g.launcher() + "." + g.size()),
              peak,
              sum.usage(),
              alwaysOn,
              oneWorker));
    }
    List<CostReport.Day> byDay = new ArrayList<>();
    days.forEach((d, s) -> byDay.add(new CostReport.Day(d, s.usage())));
    return new CostReport(since, until, window, "USD", total.usage(), byDay, queues);
  }

  /** The most runners alive at the same time: a sweep over launch and exit instants. */
  static int peak(List<RunnerUsage> runners, Instant until) {
    TreeMap<Instant, Integer> delta = new TreeMap<>();
    for (RunnerUsage r : runners) {
      Instant end = r.exitedAt() == null ? until : r.exitedAt();
      if (!end.isAfter(r.launchedAt())) {
        continue;
      }
      delta.merge(r.launchedAt(), 1, Integer::sum);
      delta.merge(end, -1, Integer::sum); // an exit at the instant of a launch frees that slot
    }
    int alive = 0;
    int peak = 0;
    for (int d : delta.values()) {
      alive += d;
      peak = Math.max(peak, alive);
    }
    return peak;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static double seconds(Instant from, Instant to) {
    return (to.toEpochMilli() - from.toEpochMilli()) / 1000.0;
  }

  private static final class Sum {
    int runners;
    int jobsRun;
    double billed;
    double startup;
    double busy;
    double idle;
    double cost;
    double alwaysOnCost;

    void add(RunnerUsage r, Instant until, double perHour) {
      Instant end = r.exitedAt() == null ? until : r.exitedAt();
      double b = Math.max(0, seconds(r.launchedAt(), end));
      double s =
          r.startedAt() == null
              ? b
              : Math.min(b, Math.max(0, seconds(r.launchedAt(), r.startedAt())));
      double busyHere = Math.min(r.busySeconds(), b - s);
      runners++;
      jobsRun += r.jobsRun();
      billed += b;
      startup += s;
      busy += busyHere;
      idle += b - s - busyHere;
      cost += b / 3600 * perHour;
    }

    CostReport.Usage usage() {
      return new CostReport.Usage(
          runners, jobsRun, billed, startup, busy, idle, cost, alwaysOnCost);
    }
  }
}
