package dev.mayfly.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.QueueConfig;
import dev.mayfly.store.QueueDemand;
import org.junit.jupiter.api.Test;

class DispatcherTest {
  private final QueueConfig queue = QueueConfig.defaults("q").maxRunners(4).jobsPerRunner(10);

  private int launch(long ready, int alive, int busy, long jobsRun) {
    return Dispatcher.runnersToLaunch(new QueueDemand("q", ready, alive, busy, jobsRun), queue);
  }

  @Test
  void launchesOneRunnerPerShareOfReadyJobsUpToTheCap() {
    assertThat(launch(1, 0, 0, 0)).isEqualTo(1);
    assertThat(launch(10, 0, 0, 0)).isEqualTo(1);
    assertThat(launch(11, 0, 0, 0)).isEqualTo(2);
    assertThat(launch(200, 0, 0, 0)).isEqualTo(4);
  }

  @Test
  void countsWhatAliveRunnersWillStillTake() {
    // one runner starting: it will take up to 10
    assertThat(launch(10, 1, 0, 0)).isZero();
    // one busy runner that has done 9: its current job is its last
    assertThat(launch(1, 1, 1, 9)).isEqualTo(1);
    // a busy runner with room for 5 more
    assertThat(launch(5, 1, 1, 4)).isZero();
  }

  @Test
  void neverExceedsTheCap() {
    assertThat(launch(1000, 4, 4, 39)).isZero();
    assertThat(launch(1000, 3, 3, 29)).isEqualTo(1);
  }

  @Test
  void launchesNothingWithoutWork() {
    assertThat(launch(0, 0, 0, 0)).isZero();
  }
}
