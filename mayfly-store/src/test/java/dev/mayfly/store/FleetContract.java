package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Fleet} must do: runner slots under the cap, launches and exits, recovery,
 * pruning, demand and history. Subclass it per database and give it {@link #stores()}; every store
 * runs it.
 */
public abstract class FleetContract extends StoreContract {
  @Test
  void pruningDeletesOnlyJobsAndRunnersFinishedBeforeTheCutoff() {
    String runner = reserveOne("default");
    long old = intake.enqueue(job("default"));
    long recent = intake.enqueue(job("default"));
    long waiting = intake.enqueue(job("default"));
    claim(runnerQueue, "default", runner, t0);
    runnerQueue.finish(old, runner, new Finish.Succeeded(t0));
    runnerQueue.appendLog(old, 1, List.of(new LogLine(t0, "info", "x")));
    claim(runnerQueue, "default", runner, t0);
    runnerQueue.finish(recent, runner, new Finish.Succeeded(t0.plusSeconds(100)));
    fleet.runnerExited(runner, 0, t0.plusSeconds(1));

    assertThat(fleet.prune(t0.plusSeconds(50))).isEqualTo(1);

    assertThat(reads.job(old, t0)).isEmpty();
    assertThat(reads.jobLog(old)).isEmpty();
    assertThat(reads.attempts(old)).isEmpty();
    assertThat(reads.job(recent, t0)).isPresent();
    assertThat(reads.job(waiting, t0)).isPresent();
    assertThat(reads.runner(runner, t0)).isEmpty();
  }

  @Test
  void aLostAttemptWithNoAttemptsLeftMakesTheJobDead() {
    long id = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(runnerQueue, "default", "r", t0);
    fleet.recover(t0.plusSeconds(31), t0, t0);
    assertThat(reads.job(id, t0.plusSeconds(31)).orElseThrow().state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void expiredLeaseReturnsTheJobToTheQueueWithTheAttemptRecordedAsLost() {
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r1", t0);

    assertThat(fleet.recover(t0.plusSeconds(10), t0, t0).jobsRequeued()).isZero();
    assertThat(fleet.recover(t0.plusSeconds(31), t0, t0).jobsRequeued()).isEqualTo(1);

    var info = reads.job(id, t0.plusSeconds(31)).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.attempts()).isEqualTo(1);
    assertThat(reads.attempts(id).getFirst().outcome()).isEqualTo("lost");
    assertThat(claim(runnerQueue, "default", "r2", t0.plusSeconds(31)).orElseThrow().attempt())
        .isEqualTo(2);
  }

  @Test
  void reservingRunnersNeverExceedsTheQueuesMaximum() {
    NewRunner r = new NewRunner("default", "local", "standard-1x", t0);
    assertThat(fleet.reserveRunners(r, 3, 2)).hasSize(2);
    assertThat(fleet.reserveRunners(r, 3, 2)).hasSize(1);
    assertThat(fleet.reserveRunners(r, 3, 2)).isEmpty();
    assertThat(fleet.reserveRunners(new NewRunner("other", "local", null, t0), 3, 5)).hasSize(3);
  }

  @Test
  void anExitedRunnerFreesItsSlot() {
    NewRunner r = new NewRunner("default", "local", null, t0);
    String id = fleet.reserveRunners(r, 1, 1).getFirst();
    runnerQueue.runnerStarted(id, t0.plusSeconds(1));
    fleet.runnerExited(id, 0, t0.plusSeconds(5));

    var info = reads.runner(id, t0.plusSeconds(9)).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.EXITED);
    assertThat(info.exitCode()).isZero();
    assertThat(info.billedSeconds()).isEqualTo(5.0);
    assertThat(fleet.reserveRunners(r, 1, 1)).hasSize(1);
  }

  @Test
  void exitCodeArrivingAfterTheRunnersOwnReportIsKept() {
    String id = reserveOne("default");
    fleet.runnerExited(id, null, t0.plusSeconds(3));
    fleet.runnerExited(id, 143, t0.plusSeconds(4));
    var info = reads.runner(id, t0).orElseThrow();
    assertThat(info.exitCode()).isEqualTo(143);
    assertThat(info.exitedAt()).isEqualTo(t0.plusSeconds(3));
  }

  @Test
  void aRunnerThatExitsHoldingAJobGivesItBackAtOnce() {
    String runner = reserveOne("default");
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", runner, t0);
    fleet.runnerExited(runner, 137, t0.plusSeconds(1));

    assertThat(reads.job(id, t0.plusSeconds(1)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void silentRunnersAreDeclaredLost() {
    String runner = reserveOne("default");
    runnerQueue.runnerStarted(runner, t0);
    runnerQueue.heartbeat(runner, t0.plusSeconds(10), t0.plusSeconds(40));

    assertThat(
            fleet.recover(t0.plusSeconds(20), t0.plusSeconds(5), t0.plusSeconds(5)).runnersLost())
        .isZero();
    assertThat(
            fleet.recover(t0.plusSeconds(50), t0.plusSeconds(20), t0.plusSeconds(20)).runnersLost())
        .isEqualTo(1);
    assertThat(reads.runner(runner, t0).orElseThrow().state()).isEqualTo(RunnerState.LOST);
    assertThat(reads.runner(runner, t0).orElseThrow().error()).contains("no sign of life");
  }

  @Test
  void aRunnerStillLaunchingIsLostOnlyAfterTheLaunchTimeout() {
    String runner = reserveOne("default");
    fleet.runnerLaunched(runner, "pod-1");

    // silent past the lease, but a pod may wait minutes for a node: not lost yet
    assertThat(fleet.recover(t0.plusSeconds(60), t0.plusSeconds(30), t0).runnersLost()).isZero();
    assertThat(
            fleet
                .recover(t0.plusSeconds(400), t0.plusSeconds(370), t0.plusSeconds(100))
                .runnersLost())
        .isEqualTo(1);
    assertThat(reads.runner(runner, t0).orElseThrow().state()).isEqualTo(RunnerState.LOST);
    assertThat(reads.runner(runner, t0).orElseThrow().error()).contains("launch timeout");
  }

  @Test
  void aRunnerDeclaredLostTakesNoMoreJobs() {
    String runner = reserveOne("default");
    runnerQueue.runnerStarted(runner, t0);
    intake.enqueue(job("default"));
    fleet.recover(
        t0.plusSeconds(60), t0.plusSeconds(30), t0.plusSeconds(30)); // silent since t0: lost

    assertThat(
            first(
                runnerQueue.claim(
                    new ClaimRequest(
                        "default", runner, t0.plusSeconds(61), PLENTY, t0.plusSeconds(90), 1))))
        .as("its slot may be another runner's now")
        .isEmpty();
    assertThat(claim(runnerQueue, "default", reserveOne("default"), t0.plusSeconds(61)))
        .isPresent();
  }

  @Test
  void failedLaunchIsRecordedWithItsError() {
    String runner = reserveOne("default");
    fleet.runnerLaunchFailed(runner, "exit 1: no java", t0);
    var info = reads.runner(runner, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.FAILED);
    assertThat(info.error()).isEqualTo("exit 1: no java");
  }

  @Test
  void aJobsPrintedLinesArePrunedWithTheJobNotBeforeIt() {
    String early = reserveOne("default");
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", early, t0);
    fleet.appendRunnerOutput(
        early,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "early's own")),
            OutputLine.job(new LogLine(t0, "out", "attempt 1"), id, 1)));
    fleet.runnerExited(early, 1, t0.plusSeconds(1)); // the job goes back to the queue
    String late = reserveOne("default");
    claim(runnerQueue, "default", late, t0.plusSeconds(100));
    fleet.appendRunnerOutput(
        late, List.of(OutputLine.job(new LogLine(t0.plusSeconds(100), "out", "attempt 2"), id, 2)));
    runnerQueue.finish(id, late, new Finish.Succeeded(t0.plusSeconds(101)));
    fleet.runnerExited(late, 0, t0.plusSeconds(102));

    fleet.prune(t0.plusSeconds(50)); // the early runner goes, the job stays
    assertThat(reads.runner(early, t0)).isEmpty();
    assertThat(reads.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly("attempt 1", "attempt 2");

    fleet.prune(t0.plusSeconds(200));
    assertThat(reads.job(id, t0)).isEmpty();
    assertThat(reads.jobLog(id)).isEmpty();
    assertThat(reads.runnerOutput(early)).isEmpty();
    assertThat(reads.runnerOutput(late)).isEmpty();
  }

  @Test
  void demandCountsReadyJobsAndAliveRunnersByWhatTheyAreDoing() {
    intake.enqueue(job("default"));
    intake.enqueue(job("default"));
    intake.enqueue(job("default"));
    String busy = started("default", t0);
    started("default", t0);
    reserveOne("default");
    long first = claim(runnerQueue, "default", busy, t0).orElseThrow().id();
    runnerQueue.finish(first, busy, new Finish.Succeeded(t0));
    claim(runnerQueue, "default", busy, t0);

    assertThat(fleet.demand(t0)).singleElement().isEqualTo(new QueueDemand("default", 1, 1, 1, 1));
  }

  @Test
  void historyMeasuresStartUpAndJobDurationFromTheLatestRunners() {
    assertThat(fleet.history("default", t0)).isEqualTo(QueueHistory.NONE);
    for (int i = 0; i < 3; i++) {
      Instant launched = t0.plusSeconds(10L * i);
      String r =
          fleet
              .reserveRunners(new NewRunner("default", "local", null, launched), 100, 1)
              .getFirst();
      runnerQueue.runnerStarted(r, launched.plusMillis(300 + 100L * i));
      intake.enqueue(job("default"));
      Instant claimed = launched.plusSeconds(1);
      long id = claim(runnerQueue, "default", r, claimed).orElseThrow().id();
      runnerQueue.finish(id, r, new Finish.Succeeded(claimed.plusMillis(200 + 10L * i)));
      fleet.runnerExited(r, 0, claimed.plusSeconds(1));
    }
    String other = started("other", t0);
    intake.enqueue(job("other"));
    long id = claim(runnerQueue, "other", other, t0).orElseThrow().id();
    runnerQueue.finish(id, other, new Finish.Succeeded(t0.plusSeconds(60)));

    QueueHistory h = fleet.history("default", t0);
    assertThat(h.startup()).isEqualTo(Duration.ofMillis(400));
    assertThat(h.jobDuration()).isEqualTo(Duration.ofMillis(210));
    assertThat(h.runners()).isEqualTo(3);
  }

  @Test
  void concurrentReservationsFromSeparateHandlesRespectTheMaximum() throws Exception {
    int handles = 4;
    ExecutorService pool = Executors.newFixedThreadPool(handles);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<List<String>>> futures = new ArrayList<>();
    for (int h = 0; h < handles; h++) {
      JobStore handle = track(openAnother());
      futures.add(
          pool.submit(
              () -> {
                start.await();
                List<String> got = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                  got.addAll(
                      handle.fleet().reserveRunners(new NewRunner("q", "local", null, t0), 5, 2));
                }
                return got;
              }));
    }
    start.countDown();
    int total = 0;
    for (var f : futures) {
      total += f.get().size();
    }
    pool.shutdown();
    assertThat(total).isEqualTo(5);
  }

  @Test
  void demandLeavesOutJobsNoRunnerOfTheQueueMayTakeAndTheyAreMarkedOnce() {
    long tooLong = intake.enqueue(job("default")); // 5 minutes
    long fits =
        intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, Duration.ofSeconds(30), 5, t0));

    assertThat(fleet.demand(t0, q -> Duration.ofMinutes(1).toMillis()))
        .singleElement()
        .isEqualTo(new QueueDemand("default", 1, 1, 0, 0, 0));
    assertThat(fleet.demand(t0)).singleElement().extracting(QueueDemand::ready).isEqualTo(2L);

    assertThat(fleet.markUnrunnable("default", Duration.ofMinutes(1), "cannot run: why")).isOne();
    assertThat(fleet.markUnrunnable("default", Duration.ofMinutes(1), "cannot run: why")).isZero();
    assertThat(reads.job(tooLong, t0).orElseThrow().error()).isEqualTo("cannot run: why");
    assertThat(reads.job(fits, t0).orElseThrow().error()).isNull();
  }
}
