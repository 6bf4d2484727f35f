package dev.mayfly.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.schedule.Due.CatchUp;
import dev.mayfly.schedule.Due.Time;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The catch-up policies on a clock the test sets: times in, times out. */
class DueTest {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final CronTimes HOURLY = CronTimes.parse("0 * * * *");
  private static final Duration GRACE = Duration.ofSeconds(1);

  private static Instant at(String hhmm) {
    return Instant.parse("2026-06-01T" + hhmm + ":00Z");
  }

  private static List<Time> due(Instant last, Instant now, CatchUp policy) {
    return Due.times(HOURLY, UTC, at("00:30"), last, now, policy, GRACE);
  }

  @Test
  void latestFiresOneJobForTheMostRecentMissedTime() {
    assertThat(due(at("01:00"), at("05:20"), CatchUp.LATEST))
        .containsExactly(new Time(at("05:00"), true));
  }

  @Test
  void allFiresEveryMissedTimeOldestFirst() {
    assertThat(due(at("01:00"), at("05:20"), CatchUp.ALL))
        .containsExactly(
            new Time(at("02:00"), true),
            new Time(at("03:00"), true),
            new Time(at("04:00"), true),
            new Time(at("05:00"), true));
  }

  @Test
  void allLetsGoOfTimesOlderThanADay() {
    Instant now = Instant.parse("2026-06-03T05:20:00Z");
    List<Time> times = Due.times(HOURLY, UTC, at("00:30"), at("01:00"), now, CatchUp.ALL, GRACE);
    assertThat(times).hasSize(24);
    assertThat(times.getFirst().at()).isEqualTo(Instant.parse("2026-06-02T06:00:00Z"));
    assertThat(times.getLast().at()).isEqualTo(Instant.parse("2026-06-03T05:00:00Z"));
  }

  @Test
  void noneFiresATimeReachedOnTimeAndSkipsOneMissed() {
    assertThat(due(at("04:00"), at("05:00").plusMillis(500), CatchUp.NONE))
        .containsExactly(new Time(at("05:00"), true));
    assertThat(due(at("01:00"), at("05:20"), CatchUp.NONE))
        .containsExactly(new Time(at("05:00"), false));
  }

  @Test
  void nothingIsDueBetweenFireTimesOrBeforeTheScheduleExisted() {
    for (CatchUp policy : CatchUp.values()) {
      assertThat(due(at("05:00"), at("05:20"), policy)).as("%s", policy).isEmpty();
      // stored at 05:10, never fired: 05:00 was before it existed
      assertThat(Due.times(HOURLY, UTC, at("05:10"), null, at("05:20"), policy, GRACE))
          .as("%s", policy)
          .isEmpty();
    }
    assertThat(Due.times(HOURLY, UTC, at("05:10"), null, at("06:00"), CatchUp.LATEST, GRACE))
        .containsExactly(new Time(at("06:00"), true));
  }

  @Test
  void thePreviousFireTimeAgreesWithTheNextAcrossDaylightSaving() {
    ZoneId newYork = ZoneId.of("America/New_York");
    CronTimes daily = CronTimes.parse("30 1 * * *");
    // 01:30 shows twice on 2026-11-01; the schedule fired at the first, 05:30Z
    assertThat(daily.previous(Instant.parse("2026-11-01T06:45:00Z"), newYork))
        .contains(Instant.parse("2026-11-01T05:30:00Z"));
    ZoneId berlin = ZoneId.of("Europe/Berlin");
    // 02:30 never shows on 2026-03-29; the schedule fires as the clocks pass it, 01:00Z
    assertThat(
            CronTimes.parse("30 2 * * *").previous(Instant.parse("2026-03-29T01:10:00Z"), berlin))
        .contains(Instant.parse("2026-03-29T01:00:00Z"));
    assertThat(HOURLY.previous(at("05:00"), UTC)).contains(at("05:00"));
  }
}
