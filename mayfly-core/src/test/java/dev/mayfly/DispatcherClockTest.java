package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobState;
import dev.mayfly.api.RunnerState;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.launch.LaunchException;
import dev.mayfly.launch.LaunchRequest;
import dev.mayfly.launch.Launcher;
import dev.mayfly.launch.RunnerHandle;
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
import java.util.concurrent.atomic.AtomicReference;
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

  /** The time, which stands still until the test moves it. */
  private final AtomicReference<Instant> now = new AtomicReference<>(T);

  /** The monotonic ticker: every reading is 7 ms after the one before. */
  private final java.util.concurrent.atomic.AtomicLong nanos =
      new java.util.concurrent.atomic.AtomicLong();

  private final List<Duration> launchTimes = new CopyOnWriteArrayList<>();
  private final Recording launcher = new Recording();
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
    MayflyConfig config =
        MayflyConfig.builder()
            .database(dir.resolve("m.db").toString())
            .environment(java.util.Map.of())
            .jobs(CoreTestJobs.Work.class)
            .launcher(launcher)
            .defaults(QueueConfig.defaults("default").launcher(launcher.name()))
            .clock(now::get)
            .ticker(() -> nanos.addAndGet(Duration.ofMillis(7).toNanos()))
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
    now.updateAndGet(t -> t.plus(d));
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
            .reserveRunners(new NewRunner("default", launcher.name(), "standard-1x", T), 1, 1)
            .get(0);
    store.runnerLaunched(runner, "p-1");
    store.runnerStarted(runner, T);
    Duration lease = mayfly.config().leaseTimeout();
    assertThat(store.claim("default", runner, T, Duration.ofMinutes(5), T.plus(lease))).isPresent();
    // The runner now says nothing more, as if its machine froze.

    tick(); // at T
    advance(lease.minusSeconds(5));
    tick(); // 5 s before the lease ends: the job is still the runner's
    assertThat(store.job(job, now.get()).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.runner(runner, now.get()).orElseThrow().state())
        .isEqualTo(RunnerState.RUNNING);
    assertThat(launcher.launches).isEmpty();

    advance(Duration.ofSeconds(6));
    tick(); // 1 s after: recovered, the frozen runner stopped, a new runner launched for the job
    assertThat(store.runner(runner, now.get()).orElseThrow().state()).isEqualTo(RunnerState.LOST);
    var info = store.job(job, now.get()).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.attempts()).isEqualTo(1);
    assertThat(launcher.launches).hasSize(1);
    await().atMost(30, TimeUnit.SECONDS).until(() -> launcher.stopped.contains("p-1"));
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
    assertThat(store.runners(dev.mayfly.api.RunnerFilter.all(), now.get()))
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
    assertThat(store.runners(dev.mayfly.api.RunnerFilter.all(), now.get()))
        .allSatisfy(r -> assertThat(r.error()).contains("set a better key"));
  }

  @Test
  void howLongALaunchTookIsMeasuredOnTheConfiguredTicker() throws Exception {
    open();
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    tick();
    assertThat(launchTimes).containsExactly(Duration.ofMillis(7));
  }

  @Test
  void closingWaitsForARunnerThatHasEndedToBeSeenEndingByItsLauncher() throws Exception {
    open();
    mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 0));
    tick();
    String runner = launcher.launches.getFirst().runnerId();
    store.runnerStarted(runner, T);
    store.runnerExited(runner, null, T); // its own record: the exit code is the platform's to tell
    // The platform tells it a moment later, as a pod's log is read to its end.
    CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)
        .execute(
            () ->
                launcher
                    .exits
                    .getFirst()
                    .complete(new dev.mayfly.launch.RunnerExit(7, T, "pod succeeded")));

    dispatcher.close();

    assertThat(store.runner(runner, now.get()).orElseThrow().exitCode()).isEqualTo(7);
  }

  /** A launcher that records what it is asked and starts nothing. */
  private static final class Recording implements Launcher {
    final List<LaunchRequest> launches = new CopyOnWriteArrayList<>();
    final List<CompletableFuture<dev.mayfly.launch.RunnerExit>> exits =
        new CopyOnWriteArrayList<>();
    final List<String> stopped = new CopyOnWriteArrayList<>();
    volatile boolean failing;
    volatile boolean misconfigured;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public RunnerHandle launch(LaunchRequest request) throws LaunchException {
      launches.add(request);
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
