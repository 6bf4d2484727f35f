package dev.mayfly.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class SettableClockTest {
  private static final Instant T = Instant.parse("2030-01-01T09:00:00Z");

  private final SettableClock clock = SettableClock.at(T);
  private final LongSupplier ticker = clock.ticker();

  @Test
  void itStandsStillUntilTheTestMovesIt() {
    assertThat(clock.instant()).isEqualTo(T);
    assertThat(clock.instant()).isEqualTo(T);
    assertThat(ticker.getAsLong()).isZero();
    assertThat(ticker.getAsLong()).isZero();
  }

  @Test
  void advancingMovesTheTimeOfDayAndTheTickerTogether() {
    assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(T.plusSeconds(90));
    assertThat(clock.instant()).isEqualTo(T.plusSeconds(90));
    assertThat(clock.millis()).isEqualTo(T.plusSeconds(90).toEpochMilli());
    assertThat(ticker.getAsLong()).isEqualTo(Duration.ofSeconds(90).toNanos());
  }

  @Test
  void settingTheTimeOfDayLeavesTheTickerWhereItIs() {
    clock.advance(Duration.ofMillis(5));
    clock.set(T.minus(Duration.ofHours(1))); // a wall clock corrected backwards
    assertThat(clock.instant()).isEqualTo(T.minus(Duration.ofHours(1)));
    assertThat(ticker.getAsLong()).isEqualTo(Duration.ofMillis(5).toNanos());
  }

  @Test
  void advancingBackwardsIsRefusedWithTheWayToDoIt() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only moves forward")
        .hasMessageContaining("set()");
    assertThat(clock.instant()).isEqualTo(T);
  }
}
