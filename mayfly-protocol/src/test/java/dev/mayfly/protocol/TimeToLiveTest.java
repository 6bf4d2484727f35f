package dev.mayfly.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class TimeToLiveTest {
  @Test
  void aRunnerTakesOnlyJobsThatEndTwoSecondsBeforeItsDeadline() {
    assertThat(TimeToLive.longestJob(Duration.ofSeconds(10))).isEqualTo(Duration.ofSeconds(8));
    assertThat(TimeToLive.longestJob(Duration.ofSeconds(1))).isNegative();
  }

  @Test
  void aQueueLeavesItsRunnersATenthOfTheirLifeToStartAtMostAMinute() {
    assertThat(TimeToLive.longestJobOfQueue(Duration.ofMinutes(10)))
        .isEqualTo(Duration.ofMinutes(9).minusSeconds(2));
    assertThat(TimeToLive.longestJobOfQueue(Duration.ofHours(2)))
        .isEqualTo(Duration.ofMinutes(119).minusSeconds(2));
  }

  @Test
  void aTimeoutFitsUpToTheLongestJobOfItsQueue() {
    Duration ttl = Duration.ofMinutes(10);
    Duration longest = TimeToLive.longestJobOfQueue(ttl);
    assertThat(TimeToLive.fits(longest, ttl)).isTrue();
    assertThat(TimeToLive.fits(longest.plusMillis(1), ttl)).isFalse();
  }
}
