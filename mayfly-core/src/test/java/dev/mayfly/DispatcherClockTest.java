package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerState;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.ManualClock;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerHandle;
import dev.mayfly.store.ClaimRequest;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dispatcher's time rules, driven by a clock the test moves: lease recovery and launch backoff
 * happen exactly when their durations say, and these tests take milliseconds, not the 30 s a lease
 * lasts.
 */
class DispatcherClockTest {
  private static final Instant T = Instant.parse("2026-01-05T09:00:00Z");

  @TempDir Path dir;

  /** The time and the ticker, which stand still until the test moves them. */
  private final ManualClock clock = new ManualClock(T);

  private final List<Duration> launchTimes = new CopyOnWriteArrayList<>();
  private final Recording launcher = new Recording(clock);
  private Mayfly mayfly;
  private JobStore store;
  private Dispatcher dispatcher;

  @AfterEach
  void close() {
    if (dispatcher != null) {
      dispatcher.close();
    }
    if (store != null) {
      store.close();
    }
    if (mayfly != null) {
      mayfly.close();
    }
  }

  private void open() {
    open(QueueConfig.DEFAULT_TIME_TO_LIVE);
  }

  private void open(Duration timeToLive) {
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(java.util.Map.of())
            .jobs(CoreTestJobs.Work.class, CoreTestJobs.FiveMinutes.class)
            .launcher(launcher)
            .defaults(
                QueueConfig.defaults("default").launcher(launcher.name()).timeToLive(timeToLive))
            .clock(clock)
            .ticker(clock.ticker())
            .build();
    mayfly = Mayfly.create(config); // enqueues only: its dispatcher is never started
    store = JobStores.open(config.databaseUrl());
    JobTypes types = JobTypes.of(config.jobs());
    DispatchListener timing =
        new DispatchListener() {
          @Override
          public void launched(String queue, String launcher, Duration took) {
            launchTimes.add(took);
          }
        };
    dispatcher = new Dispatcher(config, store, types, q -> launcher, List.of(timing));
  }

  private void advance(Duration d) {
    clock.advance(d);
  }

  private void tick() throws InterruptedException {
    dispatcher.tick();
    dispatcher.awaitLaunches(Duration.ofSeconds(30));
  }

  @Test
  void aSilentRunnersJobGoesBackToTheQueueWhenItsLeaseEndsAndNotBefore() throws Exception {
    open();
    long job = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    String runner =
        store
            .fleet()
            .reserveRunners(new NewRunner("default", launcher.name(), "standard-1x", T), 1, 1)
            .get(0);
    store.fleet().runnerLaunched(runner, "p-1");
    store.runnerQueue().runnerStarted(runner, T);
    Duration lease = mayfly.config().leaseTimeout();
    assertThat(
            store
                .runnerQueue()
                .claim(
                    new ClaimRequest(
                        "default", runner, T, Duration.ofMinutes(5), T.plus(lease), 1)))
        .hasSize(1);
    // The runner now says nothing more, as if its machine froze.

    tick(); // at T
    advance(lease.minusSeconds(5));
    tick(); // 5 s before the lease ends: the job is still the runner's
    assertThat(store.reads().job(job, clock.instant()).orElseThrow().state())
        .isEqualTo(JobState.RUNNING);
    assertThat(store.reads().runner(runner, clock.instant()).orElseThrow().state())
        .isEqualTo(RunnerState.RUNNING);
    assertThat(launcher.launches).isEmpty();

    advance(Duration.ofSeconds(6));
    tick(); // 1 s after: recovered, the frozen runner stopped, a new runner launched for the job
    assertThat(store.reads().runner(runner, clock.instant()).orElseThrow().state())
        .isEqualTo(RunnerState.LOST);
    var info = store.reads().job(job, clock.instant()).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.attempts()).isEqualTo(1);
    assertThat(launcher.launches).hasSize(1);
    await().atMost(30, TimeUnit.SECONDS).until(() -> launcher.stopped.contains("p-1"));
  }

  @Test
  void jobsNoRunnerMayTakeLaunchNoRunnerForAMinuteOfTicksAndSayWhy() throws Exception {
    open(); // runners live 10 minutes: a job of five fits
    long stuck =
        mayfly.enqueue(CoreTestJobs.FiveMinutes.class, new CoreTestJobs.FiveMinutes.Args());
    close();
    dispatcher = null;
    store = null;
    open(Duration.ofMinutes(2)); // the time-to-live lowered while it waits: no runner may take it

    for (int i = 0; i < 300; i++) { // a minute of ticks, 200 ms apart
      tick();
      advance(Duration.ofMillis(200));
    }

    assertThat(launcher.launches).isEmpty();
    assertThat(store.reads().job(stuck, clock.instant()).orElseThrow().error())
        .startsWith("cannot run: its timeout is longer than the PT1M46S that runners of queue")
        .contains("Raise queue.default.time-to-live");
    assertThat(mayfly.admin().queues())
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.unrunnable()).isOne();
              assertThat(q.problem()).startsWith("cannot run");
            });

    // work that fits is demand as before, and only it: one runner for one job
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    for (int i = 0; i < 10; i++) {
      tick();
      advance(Duration.ofMillis(200));
    }
    assertThat(launcher.launches).hasSize(1);
  }

  @Test
  void aDeadJobNoRunnerMayTakeNowIsNotRetriedAndSaysWhy() {
    open();
    long tooLong =
        mayfly.enqueue(CoreTestJobs.FiveMinutes.class, new CoreTestJobs.FiveMinutes.Args());
    long fits = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    for (var j :
        store
            .runnerQueue()
            .claim(
                new ClaimRequest("default", "r", T, Duration.ofHours(1), T.plusSeconds(30), 2))) {
      store.runnerQueue().finish(j.id(), "r", new dev.mayfly.store.Finish.Failed(T, "boom", null));
    }
    close();
    open(Duration.ofMinutes(2));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> mayfly.admin().retry(tooLong))
        .isInstanceOf(dev.mayfly.api.InvalidJobException.class)
        .hasMessageContaining("job " + tooLong + " was not retried: job type 'five-minutes'")
        .hasMessageContaining("raise the queue's time-to-live");
    Admin.DeadRetried r = mayfly.admin().retryDead();
    assertThat(r.retried()).isOne();
    assertThat(r.refused())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.id()).isEqualTo(tooLong);
              assertThat(n.reason()).contains("may run for PT5M");
            });
    assertThat(store.reads().job(tooLong, clock.instant()).orElseThrow().state())
        .isEqualTo(JobState.DEAD);
    assertThat(store.reads().job(fits, clock.instant()).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
  }

  @Test
  void failedLaunchesBackOffByDoublingWaitsOnTheClock() throws Exception {
    open();
    launcher.failing = true;
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));

    tick();
    assertThat(launcher.launches).hasSize(1);
    long[] waits = {500, 1000, 2000, 4000};
    for (int i = 0; i < waits.length; i++) {
      tick(); // at once: still backing off
      advance(Duration.ofMillis(waits[i] - 1));
      tick(); // a millisecond early
      assertThat(launcher.launches).as("attempts before wait %d ends", i + 1).hasSize(i + 1);
      advance(Duration.ofMillis(1));
      tick(); // due
      assertThat(launcher.launches).as("attempts after wait %d", i + 1).hasSize(i + 2);
    }
    assertThat(store.reads().runners(dev.mayfly.api.RunnerFilter.all(), clock.instant()))
        .hasSize(waits.length + 1)
        .allSatisfy(
            r -> {
              assertThat(r.state()).isEqualTo(RunnerState.FAILED);
              assertThat(r.error()).contains("test launcher refused");
            });
  }

  @Test
  void aRefusedConfigurationPausesLaunchingForMinutesNotSeconds() throws Exception {
    open();
    launcher.misconfigured = true;
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));

    tick();
    assertThat(launcher.launches).hasSize(1);
    advance(Duration.ofMinutes(5).minusMillis(1));
    tick(); // a launch error would have been retried 500 ms later; this one waits five minutes
    assertThat(launcher.launches).hasSize(1);
    advance(Duration.ofMillis(1));
    tick();
    assertThat(launcher.launches).hasSize(2);
    assertThat(store.reads().runners(dev.mayfly.api.RunnerFilter.all(), clock.instant()))
        .allSatisfy(r -> assertThat(r.error()).contains("set a better key"));
  }

  @Test
  void howLongALaunchTookIsMeasuredOnTheConfiguredTicker() throws Exception {
    open();
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    launcher.takes = Duration.ofMillis(7);
    tick();
    assertThat(launchTimes).containsExactly(Duration.ofMillis(7));
  }

  @Test
  void closingWaitsForARunnerThatHasEndedToBeSeenEndingByItsLauncher() throws Exception {
    open();
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    tick();
    String runner = launcher.launches.getFirst().runnerId();
    store.runnerQueue().runnerStarted(runner, T);
    store
        .fleet()
        .runnerExited(runner, null, T); // its own record: the exit code is the platform's to tell
    // The platform tells it a moment later, as a pod's log is read to its end.
    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
        .execute(
            () ->
                launcher
                    .exits
                    .getFirst()
                    .complete(new dev.mayfly.launch.RunnerExit(7, T, "pod succeeded")));

    dispatcher.close();

    assertThat(store.reads().runner(runner, clock.instant()).orElseThrow().exitCode()).isEqualTo(7);
  }

  /** A launcher that records what it is asked and starts nothing. */
  private static final class Recording implements Launcher {
    private final ManualClock clock;
    final List<LaunchRequest> launches = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<dev.mayfly.launch.RunnerExit>> exits =
        new CopyOnWriteArrayList<>();
    final List<String> stopped = new CopyOnWriteArrayList<>();
    volatile boolean failing;
    volatile boolean misconfigured;

    /** How long each launch takes, on the test's clock. */
    volatile Duration takes = Duration.ZERO;

    Recording(ManualClock clock) {
      this.clock = clock;
    }

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public RunnerHandle launch(LaunchRequest request) throws LaunchException {
      launches.add(request);
      clock.advance(takes);
      if (misconfigured) {
        throw LaunchException.needsConfiguration("test platform: set a better key", null);
      }
      if (failing) {
        throw new LaunchException("test launcher refused runner " + request.runnerId(), null);
      }
      CompletableFuture<dev.mayfly.launch.RunnerExit> exit = new CompletableFuture<>();
      exits.add(exit);
      return new RunnerHandle("p-" + request.runnerId(), exit);
    }

    @Override
    public void stop(String platformId) {
      stopped.add(platformId);
    }

    @Override
    public java.util.Optional<dev.mayfly.launch.RunnerExit> exited(String platformId) {
      return java.util.Optional.empty();
    }
  }
}
