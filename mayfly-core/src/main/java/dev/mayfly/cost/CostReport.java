package dev.mayfly.cost;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What runners billed over a period, and what always-on workers of the same size would have cost
 * for the same period: the figures of the dashboard's cost page, {@code mayfly cost} and {@code GET
 * /api/cost}. Money is in US dollars; seconds are wall-clock, as per-second platforms bill them.
 *
 * <p>A runner's billed time splits into <em>start-up</em> (launch until the runner process reported
 * itself up), <em>busy</em> (its jobs running) and <em>idle</em> (the rest: waiting for work before
 * the idle exit, and shutting down).
 *
 * @param since the start of the period
 * @param until the end of the period (now)
 * @param window the span always-on workers are compared over: from the first runner's launch in the
 *     period (or {@code since}, if later) until {@code until}
 */
public record CostReport(
    Instant since,
    Instant until,
    double windowSeconds,
    String currency,
    Usage total,
    List<Day> byDay,
    List<Queue> byQueue) {

  /** Billed time and money for a group of runners. */
  public record Usage(
      int runners,
      int jobsRun,
      double billedSeconds,
      double startupSeconds,
      double busySeconds,
      double idleSeconds,
      double cost,
      double alwaysOnCost) {}

  /** One UTC day of the window, with the runners launched that day; days without any included. */
  public record Day(LocalDate day, Usage usage) {}

  /**
   * One queue's runners of one launcher and size.
   *
   * @param pricePerHour null when no price is known for the size; its cost is then 0
   * @param peakRunners the most runners alive at once: the always-on workers it would take to run
   *     the same work with the same parallelism
   * @param alwaysOnCost {@code peakRunners} workers of this size for the whole window
   * @param oneWorkerCost a single always-on worker of this size for the whole window
   */
  public record Queue(
      String queue,
      String launcher,
      String size,
      @Nullable Double pricePerHour,
      String priceBasis,
      int peakRunners,
      Usage usage,
      double alwaysOnCost,
      double oneWorkerCost) {}
}
