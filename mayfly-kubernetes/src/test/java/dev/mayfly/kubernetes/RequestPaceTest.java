package dev.mayfly.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestPaceTest {
  private final AtomicLong now = new AtomicLong();
  private final RequestPace pace = new RequestPace(10, 20, now::get);

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
    now.addAndGet(Duration.ofSeconds(1).toNanos()); // ten turns back
    for (int i = 0; i < 10; i++) {
      assertThat(pace.reserve()).isZero();
    }
    assertThat(pace.reserve()).isPositive();
    now.addAndGet(Duration.ofHours(1).toNanos()); // never more than the burst
    for (int i = 0; i < 20; i++) {
      assertThat(pace.reserve()).isZero();
    }
    assertThat(pace.reserve()).isPositive();
  }

  @Test
  void aRateThatIsNotPositiveIsRefused() {
    assertThatThrownBy(() -> new RequestPace(0, 1, now::get))
        .hasMessageContaining("MAYFLY_KUBERNETES_QPS");
  }
}
