package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mayfly.cost.CostReport;
import dev.mayfly.cost.PriceTable;
import dev.mayfly.store.RunnerUsage;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostAccountingTest {
  private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");
  private static final double STD_1X_PER_HOUR = 25.0 / 720;

  private static RunnerUsage runner(
      String queue, String launcher, int launchedAt, int startedAt, Integer exitedAt, double busy) {
    return new RunnerUsage(
        queue + launchedAt,
        queue,
        launcher,
        "standard-1x",
        T0.plusSeconds(launchedAt),
        T0.plusSeconds(startedAt),
        exitedAt == null ? null : T0.plusSeconds(exitedAt),
        3,
        busy);
  }

  @Test
  void billedTimeSplitsIntoStartUpBusyAndIdleAndIsPricedPerSecond() {
    var report =
        CostAccounting.report(
            List.of(runner("q", "heroku", 0, 2, 20, 15)),
            PriceTable.heroku(),
            T0,
            T0.plusSeconds(3600));

    var u = report.total();
    assertThat(u.billedSeconds()).isEqualTo(20.0);
    assertThat(u.startupSeconds()).isEqualTo(2.0);
    assertThat(u.busySeconds()).isEqualTo(15.0);
    assertThat(u.idleSeconds()).isEqualTo(3.0);
    assertThat(u.cost()).isCloseTo(20 * STD_1X_PER_HOUR / 3600, within(1e-12));
    // One always-on Standard-1X for the hour since the first launch.
    assertThat(u.alwaysOnCost()).isCloseTo(STD_1X_PER_HOUR, within(1e-12));
    assertThat(report.byQueue().getFirst().priceBasis()).contains("Heroku list price");
  }

  @Test
  void alwaysOnWorkersMatchThePeakNumberOfRunnersAliveAtOnce() {
    var runners =
        List.of(
            runner("q", "local", 0, 1, 10, 5),
            runner("q", "local", 5, 6, 15, 5),
            runner("q", "local", 8, 9, 12, 1),
            // starts as the first one exits: not a fourth at once
            runner("q", "local", 10, 11, 30, 5));

    var q =
        CostAccounting.report(runners, PriceTable.heroku(), T0, T0.plusSeconds(100))
            .byQueue()
            .getFirst();

    assertThat(q.peakRunners()).isEqualTo(3);
    assertThat(q.alwaysOnCost()).isCloseTo(3 * 100 * STD_1X_PER_HOUR / 3600, within(1e-12));
    assertThat(q.oneWorkerCost()).isCloseTo(100 * STD_1X_PER_HOUR / 3600, within(1e-12));
    assertThat(q.priceBasis()).isEqualTo("as a Heroku standard-1x dyno ($25/month)");
  }

  @Test
  void configuredPricesComeFirstAndUnknownSizesAreSaidToBeUnpriced() {
    PriceTable prices = PriceTable.heroku().with("local", "default", 0.5);
    var unknown = new RunnerUsage("r", "q", "heroku", "giant", T0, T0, T0.plusSeconds(60), 1, 50);

    var report =
        CostAccounting.report(
            List.of(runner("q", "local", 0, 0, 3600, 10), unknown),
            prices,
            T0,
            T0.plusSeconds(3600));

    assertThat(report.byQueue())
        .extracting(CostReport.Queue::pricePerHour)
        .containsExactly(null, 0.5);
    assertThat(report.byQueue().getFirst().priceBasis()).contains("price.heroku.giant");
    assertThat(report.total().cost()).isCloseTo(0.5, within(1e-12));
    assertThatThrownBy(() -> prices.with("heroku", "basic", -1))
        .hasMessageContaining("price.heroku.basic");
  }

  @Test
  void everyDayOfTheWindowIsListedWithItsShareOfTheAlwaysOnCost() {
    var report =
        CostAccounting.report(
            List.of(runner("q", "heroku", 0, 1, 60, 50)),
            PriceTable.heroku(),
            T0.minusSeconds(86400 * 30),
            T0.plusSeconds(86400 + 43200));

    assertThat(report.byDay())
        .extracting(CostReport.Day::day)
        .containsExactly(LocalDate.parse("2026-11-01"), LocalDate.parse("2026-11-02"));
    assertThat(report.byDay().get(1).usage().runners()).isZero();
    assertThat(report.byDay().get(1).usage().alwaysOnCost())
        .isCloseTo(12 * STD_1X_PER_HOUR, within(1e-9));
    assertThat(report.windowSeconds()).isEqualTo(86400 + 43200.0);
  }

  @Test
  void aRunnerStillAliveIsBilledUpToNow() {
    var report =
        CostAccounting.report(
            List.of(runner("q", "heroku", 0, 1, null, 4)),
            PriceTable.heroku(),
            T0,
            T0.plusSeconds(9));
    assertThat(report.total().billedSeconds()).isEqualTo(9.0);
  }
}
