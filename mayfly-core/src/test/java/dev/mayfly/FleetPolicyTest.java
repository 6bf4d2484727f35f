package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.store.QueueDemand;
import dev.mayfly.store.QueueHistory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FleetPolicyTest {
  private static final Duration T = Duration.ofSeconds(2);
  private static final QueueHistory SHORT_JOBS = measured(500, 200);
  private static final QueueHistory LONG_JOBS = measured(500, 600_000);

  private static QueueHistory measured(long startupMillis, long jobMillis) {
    return new QueueHistory(Duration.ofMillis(startupMillis), Duration.ofMillis(jobMillis), 5);
  }

  private static int launch(
      QueueHistory h, long ready, int launching, int busy, int idle, int cap) {
    return FleetPolicy.toLaunch(new QueueDemand("q", ready, launching, busy, idle), h, T, cap);
  }

  @Test
  void beforeAnyJobHasRunOneRunnerFindsOutWhatJobsTake() {
    assertThat(launch(QueueHistory.NONE, 3, 0, 0, 0, 8)).isEqualTo(1);
    assertThat(launch(QueueHistory.NONE, 1000, 0, 0, 0, 8)).isEqualTo(1);
    assertThat(launch(QueueHistory.NONE, 1000, 1, 0, 0, 8)).isZero();
    assertThat(launch(QueueHistory.NONE, 1000, 0, 0, 1, 8)).isZero();
  }

  @Test
  void whileTheFirstJobRunsTheTimeItHasRunStandsInForItsDuration() {
    // 50 ms in, the busy runner alone could start 20 more within 0.5 s + 2 s
    assertThat(launch(running(500, 50), 19, 0, 1, 0, 8)).isZero();
    // 1 s in, it could start only 2 more; new runners 3 each
    assertThat(launch(running(500, 1_000), 19, 0, 1, 0, 8)).isEqualTo(6);
    // past the target wait, every ready job gets a runner, up to the cap
    assertThat(launch(running(500, 2_500), 5, 0, 1, 0, 8)).isEqualTo(4);
    assertThat(launch(running(500, 2_500), 19, 0, 1, 0, 8)).isEqualTo(7);
    // a measured duration, once there is one, is what counts
    assertThat(
            launch(
                new QueueHistory(
                    Duration.ofMillis(500), Duration.ofMillis(200), 1, Duration.ofSeconds(30)),
                13,
                0,
                1,
                0,
                8))
        .isZero();
  }

  private static QueueHistory running(long startupMillis, long runningMillis) {
    return new QueueHistory(
        Duration.ofMillis(startupMillis), null, 1, Duration.ofMillis(runningMillis));
  }

  @Test
  void aLargeBacklogOfShortJobsGetsTheCapAndAFewGetOneRunner() {
    assertThat(launch(SHORT_JOBS, 1000, 0, 0, 0, 8)).isEqualTo(8);
    assertThat(launch(measured(500, 50), 3, 0, 0, 0, 8)).isEqualTo(1);
    // a new runner starts at 0.5 s, then one job every 0.2 s: 11 jobs by 0.5 s + 2 s
    assertThat(launch(SHORT_JOBS, 11, 0, 0, 0, 8)).isEqualTo(1);
    assertThat(launch(SHORT_JOBS, 12, 0, 0, 0, 8)).isEqualTo(2);
  }

  @Test
  void runnersAliveCountForWhatTheyCanStartWithinTheHorizon() {
    // within 0.5 s + 2 s an idle runner starts 13 jobs of 0.2 s, and so does a busy one from
    // when its job ends (0.1 s from now, on average); a launching one, 11
    assertThat(launch(SHORT_JOBS, 13, 0, 0, 1, 8)).isZero();
    assertThat(launch(SHORT_JOBS, 13, 0, 1, 0, 8)).isZero();
    assertThat(launch(SHORT_JOBS, 14, 0, 1, 0, 8)).isEqualTo(1);
    assertThat(launch(SHORT_JOBS, 11, 1, 0, 0, 8)).isZero();
    assertThat(launch(SHORT_JOBS, 12, 1, 0, 0, 8)).isEqualTo(1);
  }

  @Test
  void jobsLongerThanTheHorizonGetARunnerEachThatIsNotBusy() {
    assertThat(launch(LONG_JOBS, 2, 0, 2, 0, 8)).isEqualTo(2);
    assertThat(launch(LONG_JOBS, 2, 0, 0, 1, 8)).isEqualTo(1);
  }

  @Test
  void aSlowStartAsksForNoMoreRunnersThanAFastOne() {
    // Starting slower (runners competing for the CPU, a dyno booting) must not feed on itself.
    assertThat(launch(measured(3_000, 200), 20, 0, 0, 0, 8))
        .isEqualTo(launch(measured(300, 200), 20, 0, 0, 0, 8))
        .isEqualTo(2);
  }

  @Test
  void runnersStillStartingAreNeverDoubled() {
    QueueHistory slowStart = measured(30_000, 600_000);
    assertThat(launch(slowStart, 3, 3, 0, 0, 8)).isZero();
    assertThat(launch(slowStart, 4, 3, 0, 0, 8)).isEqualTo(1);
    assertThat(launch(QueueHistory.NONE, 3, 3, 0, 0, 8)).isZero();
    assertThat(launch(running(30_000, 100_000), 3, 3, 0, 0, 8)).isZero();
  }

  @Test
  void neverExceedsTheCapAndLaunchesNothingWithoutReadyWork() {
    assertThat(launch(LONG_JOBS, 1000, 0, 8, 0, 8)).isZero();
    assertThat(launch(LONG_JOBS, 1000, 1, 6, 0, 8)).isEqualTo(1);
    assertThat(launch(SHORT_JOBS, 0, 0, 0, 0, 8)).isZero();
    assertThat(launch(QueueHistory.NONE, 0, 0, 0, 0, 8)).isZero();
  }

  @Test
  void theIdleWaitFollowsTheMeasuredStartUpWithinTheQueuesBounds() {
    QueueConfig q = QueueConfig.defaults("q");
    assertThat(FleetPolicy.idleBudget(measured(300, 1), q)).isEqualTo(Duration.ofMillis(300));
    assertThat(FleetPolicy.idleBudget(measured(4_000, 1), q)).isEqualTo(Duration.ofSeconds(4));
    assertThat(FleetPolicy.idleBudget(measured(50, 1), q)).isEqualTo(q.idleMin());
    assertThat(FleetPolicy.idleBudget(measured(300_000, 1), q)).isEqualTo(q.idleMax());
    assertThat(FleetPolicy.idleBudget(QueueHistory.NONE, q)).isEqualTo(FleetPolicy.STARTUP_PRIOR);
    QueueConfig fixed = q.idleExit(Duration.ofSeconds(2));
    assertThat(FleetPolicy.idleBudget(measured(300, 1), fixed)).isEqualTo(Duration.ofSeconds(2));
  }
}
