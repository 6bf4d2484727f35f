package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mayfly.internal.time.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RequestPaceTest {
  private final ManualClock clock = new ManualClock(Instant.EPOCH);
  private final RequestPace pace = new RequestPace(10, 20, clock.ticker());

  @Test
  void aBurstIsFreeThenRequestsQueueAtTheRate() {
    for (int i = 0; i < 20; i++) {
      assertThat(pace.reserve()).isZero();
    }
    assertThat(pace.reserve()).isEqualTo(Duration.ofMillis(100));
    assertThat(pace.reserve()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void timeRefillsTheBucketUpToItsBurst() {
    for (int i = 0; i < 20; i++) {
      pace.reserve();
    }
    clock.advance(Duration.ofSeconds(1)); // ten turns back
    for (int i = 0; i < 10; i++) {
      assertThat(pace.reserve()).isZero();
    }
    assertThat(pace.reserve()).isPositive();
    clock.advance(Duration.ofHours(1)); // never more than the burst
    for (int i = 0; i < 20; i++) {
      assertThat(pace.reserve()).isZero();
    }
    assertThat(pace.reserve()).isPositive();
  }

  @Test
  void aRateThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new RequestPace(0, 1, clock.ticker()))
        .hasMessageContaining("MAYFLY_KUBERNETES_QPS");
  }
}
