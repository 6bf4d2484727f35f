package dev.mayfly.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IdleForecastTest {
  private static final Instant T0 = Instant.parse("2026-12-03T00:00:00Z");
  private static final Duration WAIT = Duration.ofMillis(300);

  /** Bursts of {@code size} jobs every {@code everyMillis}, the last one at T0. */
  private static List<Instant> bursts(int count, int size, long everyMillis) {
    List<Instant> arrivals = new ArrayList<>();
    for (int b = 0; b < count; b++) {
      for (int j = 0; j < size; j++) {
        arrivals.add(T0.minusMillis(everyMillis * (count - 1 - b)).plusMillis(j % 2));
      }
    }
    return arrivals;
  }

  private static boolean worthWaiting(List<Instant> arrivals, long millisAfterT0) {
    return IdleForecast.worthWaiting(arrivals, T0.plusMillis(millisAfterT0), WAIT);
  }

  @Test
  void burstsWithQuietGapsLongerThanAStartUpAreNotWaitedFor() {
    // drained 2 s after a burst; bursts come every 5 s, so the next is 3 s away
    assertThat(worthWaiting(bursts(6, 20, 5_000), 2_000)).isFalse();
  }

  @Test
  void withTooFewGapsToGoByTheRunnerWaits() {
    assertThat(worthWaiting(bursts(3, 20, 5_000), 2_000)).isTrue();
    assertThat(worthWaiting(bursts(1, 1000, 5_000), 2_000)).isTrue();
    assertThat(worthWaiting(List.of(), 0)).isTrue();
  }

  @Test
  void theNextBurstDueWithinTheWaitIsWaitedFor() {
    // bursts every 2.2 s, drained 2 s after the last: the next comes in 0.2 s
    assertThat(worthWaiting(bursts(6, 20, 2_200), 2_000)).isTrue();
  }

  @Test
  void aScheduledJobDueWithinTheWaitIsWaitedFor() {
    List<Instant> arrivals = new ArrayList<>(bursts(6, 20, 5_000));
    assertThat(worthWaiting(arrivals, 2_000)).isFalse();
    arrivals.add(T0.plusMillis(2_250));
    assertThat(worthWaiting(arrivals, 2_000)).isTrue();
    arrivals.set(arrivals.size() - 1, T0.plusMillis(2_500));
    assertThat(worthWaiting(arrivals, 2_000)).isFalse();
  }

  @Test
  void aPoissonStreamIsWaitedForOnlyWhenJobsComeFasterThanAStartUp() {
    assertThat(worthWaiting(poisson(100, 100), 0)).isTrue(); // mean gap 0.1 s < 0.3 s
    assertThat(worthWaiting(poisson(100, 1_000), 0)).isFalse(); // mean gap 1 s > 0.3 s
  }

  /** {@code n} arrivals with exponential gaps of the given mean, the last at T0. */
  private static List<Instant> poisson(int n, long meanMillis) {
    Random random = new Random(42);
    List<Instant> arrivals = new ArrayList<>();
    Instant t = T0;
    for (int i = 0; i < n; i++) {
      arrivals.add(t);
      t = t.minusMillis(1 + (long) (-Math.log(1 - random.nextDouble()) * meanMillis));
    }
    return arrivals;
  }
}
