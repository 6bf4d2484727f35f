package dev.mayfly.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CronTimesTest {
  private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

  private static List<Instant> fires(String cron, ZoneId zone, String from, String to) {
    CronTimes times = CronTimes.parse(cron);
    List<Instant> out = new ArrayList<>();
    Instant t = Instant.parse(from);
    while (true) {
      t = times.next(t, zone).orElseThrow();
      if (t.isAfter(Instant.parse(to))) {
        return out;
      }
      out.add(t);
    }
  }

  @Test
  void aDailyTimeStaysOnTheWallClockAcrossDaylightSaving() {
    // Berlin: 03:00 CET on Saturday 2026-03-28 is 02:00Z; on Sunday, after spring forward, CEST
    assertThat(fires("0 3 * * *", BERLIN, "2026-03-27T12:00:00Z", "2026-03-30T12:00:00Z"))
        .containsExactly(
            Instant.parse("2026-03-28T02:00:00Z"),
            Instant.parse("2026-03-29T01:00:00Z"),
            Instant.parse("2026-03-30T01:00:00Z"));
  }

  @Test
  void aTimeTheClocksSkipFiresOnceWhenTheyHavePassedIt() {
    // Berlin springs forward on 2026-03-29 from 02:00 to 03:00: 02:30 never shows
    assertThat(fires("30 2 * * *", BERLIN, "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z"))
        .containsExactly(
            Instant.parse("2026-03-29T01:00:00Z"), // 03:00 CEST, as the clocks pass 02:30
            Instant.parse("2026-03-30T00:30:00Z")); // 02:30 CEST
    // and an hourly schedule fires once at the jump, not twice
    assertThat(fires("0 * * * *", BERLIN, "2026-03-29T00:30:00Z", "2026-03-29T02:30:00Z"))
        .containsExactly(
            Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-03-29T02:00:00Z"));
  }

  @Test
  void aTimeTheClocksShowTwiceFiresOnceInNewYork() {
    // New York falls back on 2026-11-01 from 02:00 EDT to 01:00 EST: 01:30 shows twice
    assertThat(fires("30 1 * * *", NEW_YORK, "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z"))
        .containsExactly(
            Instant.parse("2026-11-01T05:30:00Z"), // 01:30 EDT, the first
            Instant.parse("2026-11-02T06:30:00Z")); // 01:30 EST
  }

  @Test
  void anHourlyScheduleFiresInBothPassesOfARepeatedHour() {
    assertThat(fires("0 * * * *", NEW_YORK, "2026-11-01T04:30:00Z", "2026-11-01T07:30:00Z"))
        .containsExactly(
            Instant.parse("2026-11-01T05:00:00Z"), // 01:00 EDT
            Instant.parse("2026-11-01T06:00:00Z"), // 01:00 EST
            Instant.parse("2026-11-01T07:00:00Z")); // 02:00 EST
  }

  @Test
  void sixFieldsCountSecondsFirst() {
    assertThat(
            fires(
                "*/10 * * * * *", ZoneId.of("UTC"), "2026-01-01T00:00:00Z", "2026-01-01T00:00:30Z"))
        .containsExactly(
            Instant.parse("2026-01-01T00:00:10Z"),
            Instant.parse("2026-01-01T00:00:20Z"),
            Instant.parse("2026-01-01T00:00:30Z"));
  }

  @Test
  void aBadExpressionSaysWhatIsExpected() {
    assertThatThrownBy(() -> CronTimes.parse("0 3 * *"))
        .hasMessageContaining("has 4 field(s)")
        .hasMessageContaining("0 3 * * *");
    assertThatThrownBy(() -> CronTimes.parse("61 3 * * *"))
        .hasMessageContaining("cron '61 3 * * *' is not valid");
  }
}
