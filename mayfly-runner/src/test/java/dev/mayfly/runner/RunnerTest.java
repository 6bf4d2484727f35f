package dev.mayfly.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerState;
import dev.mayfly.internal.jobs.JobDescriptor;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.ManualClock;
import dev.mayfly.protocol.OutputMarkers;
import dev.mayfly.protocol.RunnerEnvironment;
import dev.mayfly.protocol.RunnerExitCodes;
import dev.mayfly.protocol.RunnerSettings;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.NewJob;
import dev.mayfly.store.NewRunner;
import dev.mayfly.store.connect.JobStores;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunnerTest {
  @TempDir Path dir;
  private JobStore store;
  private final JobTypes types =
      JobTypes.of(
          List.of(
              TestJobs.Noop.class,
              TestJobs.Boom.class,
              TestJobs.Flaky.class,
              TestJobs.Decide.class,
              TestJobs.Slow.class,
              TestJobs.Stubborn.class,
              TestJobs.LongTimeout.class,
              TestJobs.Sleepy.class));
  private final ByteArrayOutputStream output = new ByteArrayOutputStream();
  private int claimBatch = 1;
  private Duration pollInterval = Duration.ofMillis(20);

  @BeforeEach
  void open() {
    store = JobStores.open(dir.resolve("mayfly.db").toString());
  }

  @AfterEach
  void close() {
    store.close();
  }

  private long enqueue(String type, String json) {
    return enqueueAt(type, json, Instant.now());
  }

  private long enqueueAt(String type, String json, Instant now) {
    return enqueueIn(store, type, json, now);
  }

  private long enqueueIn(JobStore target, String type, String json) {
    return enqueueIn(target, type, json, Instant.now());
  }

  private long enqueueIn(JobStore target, String type, String json, Instant now) {
    JobDescriptor d = types.byName(type);
    return target
        .intake()
        .enqueue(
            new NewJob(
                type,
                "default",
                types.validateJson(d, json),
                0,
                now,
                d.timeout(),
                d.maxAttempts(),
                now));
  }

  private Runner runner(int jobsPerRunner, Duration ttl) {
    return runner(jobsPerRunner, ttl, Duration.ofMillis(200), InstantSource.system());
  }

  private Runner runner(int jobsPerRunner, Duration ttl, Duration idle, InstantSource clock) {
    return runner(jobsPerRunner, ttl, idle, clock, System::nanoTime);
  }

  private Runner runner(
      int jobsPerRunner,
      Duration ttl,
      Duration idle,
      InstantSource clock,
      java.util.function.LongSupplier ticker) {
    String id =
        store
            .fleet()
            .reserveRunners(new NewRunner("default", "test", null, clock.instant()), 10, 1)
            .getFirst();
    RunnerSettings settings =
        new RunnerSettings(
            id,
            "default",
            "unused",
            types.encode(),
            jobsPerRunner,
            idle,
            clock.instant().plus(ttl),
            pollInterval,
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            claimBatch,
            true);
    return new Runner(
        settings,
        store,
        types,
        clock,
        ticker,
        new PrintStream(output, true),
        dev.mayfly.internal.jobs.JobInstances.CONSTRUCTOR);
  }

  /**
   * A clock each reading of which is a millisecond after the one before: each claim has its own
   * start time, and jobs claimed together share one.
   */
  private static InstantSource tickingClock() {
    java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    Instant base = Instant.now();
    return () -> base.plusMillis(reads.incrementAndGet());
  }

  private Runner runner() {
    return runner(100, Duration.ofMinutes(10));
  }

  private JobInfo job(long id) {
    return store.reads().job(id, Instant.now()).orElseThrow();
  }

  @Test
  void aSecondProcessForTheSameRunnerLeavesWithoutTouchingAnything() {
    long job = enqueue("noop", "{\"n\":1}");
    Runner second = runner();
    String id =
        store.reads().runners(dev.mayfly.api.RunnerFilter.all(), Instant.now()).getFirst().id();
    // The first process for this runner (a platform started two for one launch) reported in.
    assertThat(store.runnerQueue().runnerStarted(id, Instant.now())).isTrue();

    assertThat(second.run()).isEqualTo(ExitReason.NOT_THE_RUNNER);

    assertThat(job(job).state()).isEqualTo(JobState.QUEUED);
    assertThat(job(job).attempts()).isZero();
    var runner = store.reads().runner(id, Instant.now()).orElseThrow();
    assertThat(runner.state()).isEqualTo(dev.mayfly.api.RunnerState.RUNNING); // still the first's
    assertThat(runner.exitedAt()).isNull();
    assertThat(output.toString()).contains(id + " exiting: NOT_THE_RUNNER");
  }

  @Test
  void aRunnerWithNoRowInItsStoreSaysItOpensAnotherDatabaseAndLeaves() {
    long job = enqueue("noop", "{\"n\":1}");
    // launched by a dispatcher of another database: this store never reserved it
    String url = "jdbc:sqlite:" + dir.resolve("mayfly.db");
    RunnerSettings settings =
        new RunnerSettings(
            "r-elsewhere",
            "default",
            url,
            types.encode(),
            0,
            Duration.ofMillis(200),
            Instant.now().plus(Duration.ofMinutes(10)),
            pollInterval,
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            claimBatch,
            true);
    Runner runner =
        new Runner(settings, store, types, InstantSource.system(), new PrintStream(output, true));

    assertThat(runner.run()).isEqualTo(ExitReason.WRONG_STORE);

    assertThat(job(job).state()).isEqualTo(JobState.QUEUED);
    assertThat(store.reads().runner("r-elsewhere", Instant.now())).isEmpty();
    assertThat(output.toString())
        .contains(
            "runner r-elsewhere has no row in the store it opened ("
                + url
                + "): it opens a different database than the dispatcher that launched it")
        .contains("r-elsewhere exiting: WRONG_STORE")
        .doesNotContain("is not launching");
    String line =
        output.toString().lines().filter(l -> l.contains("no row")).findFirst().orElseThrow();
    assertThat(OutputMarkers.storeWithoutTheRunner(line)).isEqualTo(url);
  }

  @Test
  void aRunnerProcessWithNoRowInItsStoreExitsWithItsOwnCode() {
    String url = "jdbc:sqlite:" + dir.resolve("other.db");
    int code =
        RunnerMain.run(
            java.util.Map.of(
                RunnerEnvironment.RUNNER_ID,
                "r-elsewhere",
                RunnerEnvironment.QUEUE,
                "default",
                RunnerEnvironment.DATABASE_URL,
                url,
                RunnerEnvironment.JOBS,
                types.encode(),
                RunnerEnvironment.DEADLINE,
                Instant.now().plus(Duration.ofMinutes(5)).toString()),
            false);
    assertThat(code).isEqualTo(RunnerExitCodes.WRONG_STORE).isEqualTo(4);
  }

  @Test
  void aRunnerWithNoRowInItsStoreNamesItWithoutThePassword() {
    RunnerSettings settings =
        new RunnerSettings(
            "r-elsewhere",
            "default",
            "postgres://bob:hunter2@db.example:5432/app",
            types.encode(),
            0,
            Duration.ofMillis(200),
            Instant.now().plus(Duration.ofMinutes(10)),
            pollInterval,
            Duration.ofSeconds(30),
            Duration.ofSeconds(1),
            claimBatch,
            true);
    Runner runner =
        new Runner(settings, store, types, InstantSource.system(), new PrintStream(output, true));

    assertThat(runner.run()).isEqualTo(ExitReason.WRONG_STORE);

    assertThat(output.toString()).doesNotContain("hunter2");
    String line =
        output.toString().lines().filter(l -> l.contains("no row")).findFirst().orElseThrow();
    assertThat(OutputMarkers.storeWithoutTheRunner(line))
        .isEqualTo("postgres://bob:****@db.example:5432/app");
  }

  @Test
  void theMainClassesTheProtocolNamesAreTheRunners() {
    assertThat(RunnerEnvironment.MAIN_CLASS).isEqualTo(RunnerMain.class.getName());
    assertThat(RunnerEnvironment.TRAINING_MAIN_CLASS).isEqualTo(RunnerTraining.class.getName());
  }

  @Test
  void leavesAtOnceWhenTheQueuesBurstsComeFurtherApartThanItsIdleWait() {
    // Bursts every 5 s, the latest just now: the next is not due within the 200 ms wait.
    Instant now = Instant.now();
    for (int burst = 5; burst >= 0; burst--) {
      for (int i = 0; i < 3; i++) {
        enqueueAt("noop", "{\"n\":" + i + "}", now.minusSeconds(5L * burst));
      }
    }
    assertThat(runner().run()).isEqualTo(ExitReason.NO_WORK_EXPECTED);
    assertThat(store.reads().counts(Instant.now()).getFirst().succeeded()).isEqualTo(18);
  }

  @Test
  void runsEveryQueuedJobThenExitsWhenIdle() {
    long a = enqueue("noop", "{\"n\":1}");
    long b = enqueue("noop", "{\"n\":2}");
    Runner runner = runner();

    assertThat(runner.run()).isEqualTo(ExitReason.IDLE);

    assertThat(job(a).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(job(b).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.reads().jobLog(b))
        .extracting(LogLine::message)
        .containsExactly("noop 2 attempt 1");
    var info = store.reads().runner(job(a).runnerId(), Instant.now()).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.EXITED);
    assertThat(info.jobsRun()).isEqualTo(2);
    assertThat(info.startedAt()).isNotNull();
  }

  /**
   * A runner listens for new jobs only once it has nothing to do, so a start with jobs waiting pays
   * for no second connection; a job that became ready while listening began is claimed at once,
   * because the store then says "look at every queue", not at the next poll (30 s away here).
   */
  @Test
  void listensOnlyWhenIdleAndClaimsWhatCameWhileListeningBegan() {
    JobStore real = store;
    List<String> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    AtomicReference<Long> arrived = new AtomicReference<>();
    dev.mayfly.store.RunnerQueue queue =
        (dev.mayfly.store.RunnerQueue)
            java.lang.reflect.Proxy.newProxyInstance(
                JobStore.class.getClassLoader(),
                new Class<?>[] {dev.mayfly.store.RunnerQueue.class},
                (proxy, method, args) -> {
                  calls.add(method.getName());
                  try {
                    return method.invoke(real.runnerQueue(), args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    store =
        (JobStore)
            java.lang.reflect.Proxy.newProxyInstance(
                JobStore.class.getClassLoader(),
                new Class<?>[] {JobStore.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("runnerQueue")) {
                    return queue;
                  }
                  calls.add(method.getName());
                  if (method.getName().equals("listen")) {
                    arrived.set(enqueueIn(real, "noop", "{\"n\":2}"));
                    @SuppressWarnings("unchecked")
                    var listener = (java.util.function.Consumer<String>) args[0];
                    listener.accept(JobStore.ANY_QUEUE);
                    return (AutoCloseable) () -> {};
                  }
                  try {
                    return method.invoke(real, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
    pollInterval = Duration.ofSeconds(30);
    long first = enqueue("noop", "{\"n\":1}");
    Runner runner =
        runner(0, Duration.ofMinutes(10), Duration.ofMinutes(1), InstantSource.system());

    CompletableFuture<ExitReason> ran = CompletableFuture.supplyAsync(runner::run);
    await()
        .atMost(Duration.ofSeconds(20)) // the next poll would come after 30 s
        .until(() -> arrived.get() != null && job(arrived.get()).state() == JobState.SUCCEEDED);
    runner.stop();

    assertThat(ran.join()).isEqualTo(ExitReason.STOPPED);
    assertThat(job(first).state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(calls.indexOf("listen"))
        .as("listening began after the first job was claimed and run: %s", calls)
        .isGreaterThan(calls.indexOf("startAndClaim") + 1);
    store = real;
  }

  @Test
  void anIdleRunnerThatCannotReachItsDatabaseLeavesAfterItsIdleWait() throws Exception {
    String id =
        store
            .fleet()
            .reserveRunners(new NewRunner("default", "test", null, Instant.now()), 10, 1)
            .getFirst();
    Runner runner =
        new Runner(
            new RunnerSettings(
                id,
                "default",
                "unused",
                types.encode(),
                0,
                Duration.ofSeconds(1),
                Instant.now().plus(Duration.ofMinutes(10)),
                Duration.ofMillis(20),
                Duration.ofSeconds(30),
                Duration.ofSeconds(1),
                1,
                true),
            store,
            types,
            InstantSource.system(),
            new PrintStream(output, true));
    CompletableFuture<ExitReason> run = CompletableFuture.supplyAsync(runner::run);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!output.toString().contains("started") && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    store.close(); // the database is gone: every claim from now on fails

    assertThat(run.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(ExitReason.IDLE);
    assertThat(output.toString()).contains("claiming failed, retrying");
  }

  @Test
  void batchesOfClaimedJobsAreRunAndRecordedTogether() {
    claimBatch = 3;
    for (int i = 0; i < 7; i++) {
      enqueue("noop", "{\"n\":" + i + "}");
    }
    assertThat(runner(5, Duration.ofMinutes(10)).run()).isEqualTo(ExitReason.JOB_LIMIT);
    assertThat(store.reads().counts(Instant.now()).getFirst().succeeded()).isEqualTo(5);
    assertThat(store.reads().counts(Instant.now()).getFirst().queued()).isEqualTo(2);
  }

  @Test
  void anAutomaticBatchClaimsShortJobsManyAtATime() {
    claimBatch = RunnerSettings.AUTO_CLAIM_BATCH;
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 30; i++) {
      ids.add(enqueue("noop", "{\"n\":" + i + "}"));
    }
    runner(0, Duration.ofMinutes(10), Duration.ofMillis(200), tickingClock()).run();

    assertThat(ids).allSatisfy(id -> assertThat(job(id).state()).isEqualTo(JobState.SUCCEEDED));
    long claims = ids.stream().map(id -> job(id).startedAt()).distinct().count();
    assertThat(claims).as("claims for 30 jobs of a few microseconds").isLessThanOrEqualTo(3);
  }

  @Test
  void theAutomaticBatchMeasuresJobsWithTheRunnersTicker() {
    claimBatch = RunnerSettings.AUTO_CLAIM_BATCH;
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 6; i++) {
      ids.add(enqueue("noop", "{\"n\":" + i + "}"));
    }
    // every reading of this ticker is 150 ms after the one before: each job seems to take that
    // long, too long to claim with another
    java.util.concurrent.atomic.AtomicLong nanos = new java.util.concurrent.atomic.AtomicLong();
    runner(
            0,
            Duration.ofMinutes(10),
            Duration.ofMillis(200),
            tickingClock(),
            () -> nanos.addAndGet(Duration.ofMillis(150).toNanos()))
        .run();

    long claims = ids.stream().map(i -> job(i).startedAt()).distinct().count();
    assertThat(claims).as("one claim per job").isEqualTo(6);
  }

  @Test
  void aStuckJobGivesTheRestOfItsBatchBackUnstarted() {
    claimBatch = 2;
    enqueue("stubborn", "{\"millis\":8000}");
    long next = enqueue("noop", "{\"n\":1}");
    assertThat(runner().run()).isEqualTo(ExitReason.STUCK_JOB);
    assertThat(job(next).state()).isEqualTo(JobState.QUEUED);
    assertThat(job(next).attempts()).isZero();
  }

  @Test
  void exitsAfterItsShareOfJobs() {
    for (int i = 0; i < 5; i++) {
      enqueue("noop", "{\"n\":" + i + "}");
    }
    assertThat(runner(2, Duration.ofMinutes(10)).run()).isEqualTo(ExitReason.JOB_LIMIT);
    assertThat(store.reads().counts(Instant.now()).getFirst().succeeded()).isEqualTo(2);
    assertThat(store.reads().counts(Instant.now()).getFirst().queued()).isEqualTo(3);
  }

  @Test
  void aThrowingJobKeepsItsStackTraceAndTheNextJobStillRuns() {
    long bad = enqueue("boom", "{\"message\":\"disk full\"}");
    long good = enqueue("noop", "{\"n\":1}");

    runner().run();

    assertThat(job(bad).state()).as("3 attempts, no backoff").isEqualTo(JobState.DEAD);
    assertThat(job(bad).error())
        .startsWith("java.lang.IllegalStateException: disk full")
        .contains("at dev.mayfly.runner.TestJobs$Boom.perform");
    assertThat(store.reads().attempts(bad).getFirst().error()).contains("disk full");
    assertThat(job(good).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aFailingJobIsRetriedUntilItsAttemptsRunOutThenDead() {
    long bad = enqueue("boom", "{\"message\":\"still broken\"}");

    runner().run();

    assertThat(job(bad).state()).isEqualTo(JobState.DEAD);
    assertThat(job(bad).attempts()).isEqualTo(3);
    assertThat(store.reads().attempts(bad))
        .extracting(a -> a.outcome())
        .containsExactly("failed", "failed", "failed");
    assertThat(store.reads().attempts(bad))
        .allSatisfy(a -> assertThat(a.error()).contains("still broken"));
  }

  @Test
  void outcomesReturnedOnPurposeAreRecordedAsSuch() {
    long retry = enqueue("decide", "{\"outcome\":\"retry\"}");
    long snooze = enqueue("decide", "{\"outcome\":\"snooze\"}");
    long discard = enqueue("decide", "{\"outcome\":\"discard\"}");

    runner().run();

    assertThat(job(retry).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(job(retry).attempts()).isEqualTo(1);
    assertThat(job(retry).error()).isEqualTo("upstream busy");
    assertThat(job(snooze).state()).isEqualTo(JobState.SCHEDULED);
    assertThat(job(snooze).attempts()).isZero();
    assertThat(job(discard).state()).isEqualTo(JobState.CANCELLED);
    assertThat(job(discard).error()).isEqualTo("not wanted");
  }

  @Test
  void aJobPastItsTimeoutIsInterruptedAndRecordedAsTimedOut() {
    long slow = enqueue("slow", "{\"millis\":60000}");
    long next = enqueue("noop", "{\"n\":1}");

    assertThat(runner().run()).isEqualTo(ExitReason.IDLE);

    assertThat(job(slow).state()).as("failed, its retry 15 s away").isEqualTo(JobState.FAILED);
    assertThat(job(slow).runAt()).isAfter(Instant.now().plusSeconds(5));
    assertThat(job(slow).error()).contains("timed out").contains("interrupted");
    assertThat(job(next).state()).isEqualTo(JobState.SUCCEEDED);
  }

  @Test
  void aJobThatIgnoresInterruptionEndsTheRunner() {
    long stubborn = enqueue("stubborn", "{\"millis\":8000}");
    enqueue("noop", "{\"n\":1}");

    assertThat(runner().run()).isEqualTo(ExitReason.STUCK_JOB);

    assertThat(job(stubborn).state()).isEqualTo(JobState.FAILED);
    assertThat(job(stubborn).error()).contains("timed out");
    assertThat(store.reads().counts(Instant.now()).getFirst().queued()).isEqualTo(1);
  }

  @Test
  void noJobIsStartedThatCouldNotFinishBeforeTheRunnersDeadline() {
    long id = enqueue("long-timeout", "{}");

    // 30 s to live: a job allowed 5 minutes could be cut short, so it is left for another runner
    assertThat(runner(10, Duration.ofSeconds(30)).run()).isEqualTo(ExitReason.IDLE);

    assertThat(job(id).state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void aRunnerPastItsDeadlineTakesNothing() {
    enqueue("noop", "{\"n\":1}");
    assertThat(runner(10, Duration.ofSeconds(1)).run()).isEqualTo(ExitReason.TIME_TO_LIVE);
  }

  @Test
  void aJobTypeTheRunnerDoesNotKnowFailsWithAnExplanation() {
    Instant now = Instant.now();
    long id =
        store
            .intake()
            .enqueue(
                new NewJob("vanished", "default", "{}", 0, now, Duration.ofSeconds(5), 1, now));
    runner().run();
    assertThat(job(id).state()).as("one attempt allowed").isEqualTo(JobState.DEAD);
    assertThat(job(id).error()).contains("does not know job type 'vanished'");
  }

  @Test
  void aCancelledRunningJobThatIgnoresItsFlagIsInterruptedAfterTheGraceAndEndsCancelled()
      throws Exception {
    long id = enqueue("sleepy", "{\"millis\":60000}");
    Runner runner = runner();
    var result = CompletableFuture.supplyAsync(runner::run);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> job(id).state() == JobState.RUNNING);

    store.intake().cancel(id, Instant.now());

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> job(id).state() == JobState.CANCELLED);
    assertThat(job(id).error()).isEqualTo("cancelled while running");
    assertThat(result.get()).isEqualTo(ExitReason.IDLE);
  }

  @Test
  void stopMakesTheRunnerExitWithoutTakingMoreWork() throws Exception {
    Runner runner = runner(100, Duration.ofMinutes(10));
    var result = CompletableFuture.supplyAsync(runner::run);
    runner.stop();
    assertThat(result.get()).isEqualTo(ExitReason.STOPPED);
  }

  /**
   * Retry backoff on a clock the test moves: a failed job comes back exactly when its backoff ends,
   * each wait twice the last (within its jitter), and a minutes-long schedule runs in milliseconds.
   */
  @Test
  void aFailedJobIsRetriedWhenItsBackoffEndsAndNotBefore() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-05T09:00:00Z"));
    // No idle wait: on a clock that stands still, waiting would never end.
    Runnable runOnce = () -> runner(0, Duration.ofMinutes(10), Duration.ZERO, clock).run();
    long id = enqueueAt("flaky", "{}", clock.instant());
    JobDescriptor flaky = types.byName("flaky");

    runOnce.run();
    for (int attempt = 1; attempt < flaky.maxAttempts(); attempt++) {
      JobInfo failed = store.reads().job(id, clock.instant()).orElseThrow();
      assertThat(failed.state()).as("waiting for its retry").isEqualTo(JobState.FAILED);
      assertThat(failed.attempts()).isEqualTo(attempt);
      Duration wait = Duration.between(clock.instant(), failed.runAt());
      Duration expected = flaky.backoff().multipliedBy(1L << (attempt - 1)); // 60 s, then 120 s
      assertThat(wait)
          .as("wait after attempt %d: %s ± 25%% jitter", attempt, expected)
          .isBetween(expected.multipliedBy(3).dividedBy(4), expected.multipliedBy(5).dividedBy(4));

      clock.set(failed.runAt().minusMillis(1));
      runOnce.run(); // a millisecond early: nothing to claim
      assertThat(store.reads().job(id, clock.instant()).orElseThrow().attempts())
          .isEqualTo(attempt);

      clock.set(failed.runAt());
      runOnce.run(); // due: claimed, and failing again
      assertThat(store.reads().job(id, clock.instant()).orElseThrow().attempts())
          .isEqualTo(attempt + 1);
    }
    assertThat(store.reads().job(id, clock.instant()).orElseThrow().state())
        .isEqualTo(JobState.DEAD);
  }
}
