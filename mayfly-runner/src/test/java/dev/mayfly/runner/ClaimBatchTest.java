package dev.mayfly.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClaimBatchTest {

  @Test
  void aFixedBatchIsAlwaysThatSize() {
    ClaimBatch b = new ClaimBatch(7);
    assertThat(b.size()).isEqualTo(7);
    b.ran(Duration.ofSeconds(5).toNanos());
    assertThat(b.size()).isEqualTo(7);
  }

  @Test
  void anAutomaticBatchStartsWithOneJobAndFillsATenthOfASecond() {
    ClaimBatch b = new ClaimBatch(0);
    assertThat(b.size()).as("nothing measured yet").isEqualTo(1);

    b.ran(Duration.ofMillis(10).toNanos());
    assertThat(b.size()).isEqualTo(10);
  }

  @Test
  void shortJobsAreClaimedAtMostFiftyAtATimeAndLongOnesOneAtATime() {
    ClaimBatch quick = new ClaimBatch(0);
    quick.ran(20_000); // 20 µs
    assertThat(quick.size()).isEqualTo(ClaimBatch.MAX);

    ClaimBatch slow = new ClaimBatch(0);
    slow.ran(Duration.ofMillis(250).toNanos());
    assertThat(slow.size()).isEqualTo(1);
  }

  @Test
  void theBatchShrinksWithinAFewJobsWhenJobsGrowLonger() {
    ClaimBatch b = new ClaimBatch(0);
    b.ran(Duration.ofMillis(1).toNanos());
    assertThat(b.size()).isEqualTo(ClaimBatch.MAX);
    for (int i = 0; i < 10; i++) {
      b.ran(Duration.ofMillis(200).toNanos());
    }
    assertThat(b.size()).isEqualTo(1);
  }
}
