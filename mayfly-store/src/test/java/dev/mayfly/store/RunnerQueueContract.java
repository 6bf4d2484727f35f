package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RunnerQueue} must do: report-in, claims that never give one job twice, leases,
 * outcomes recorded once whatever their text, scale-in. Subclass it per database and give it {@link
 * #stores()}; every store runs it.
 */
public abstract class RunnerQueueContract extends StoreContract {
  @Test
  void claimTakesHighestPriorityThenOldest() {
    long low = intake.enqueue(job("default"));
    long high =
        intake.enqueue(new NewJob("sleep", "default", "{}", 5, t0.plusMillis(1), TIMEOUT, 1, t0));
    long lowLater = intake.enqueue(job("default"));

    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(1)).orElseThrow().id())
        .isEqualTo(high);
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(1)).orElseThrow().id())
        .isEqualTo(low);
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(1)).orElseThrow().id())
        .isEqualTo(lowLater);
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(1))).isEmpty();
  }

  @Test
  void aBatchClaimTakesSeveralJobsInClaimOrder() {
    long a = intake.enqueue(job("default"));
    long b = intake.enqueue(job("default"));
    long urgent = intake.enqueue(new NewJob("sleep", "default", "{}", 9, t0, TIMEOUT, 1, t0));
    intake.enqueue(job("default"));

    List<ClaimedJob> got =
        runnerQueue.claim(new ClaimRequest("default", "r", t0, PLENTY, t0.plusSeconds(30), 3));

    assertThat(got).extracting(ClaimedJob::id).containsExactly(urgent, a, b);
    assertThat(reads.attempts(a)).hasSize(1);
    assertThat(
            runnerQueue.claim(new ClaimRequest("default", "r", t0, PLENTY, t0.plusSeconds(30), 3)))
        .hasSize(1);
  }

  @Test
  void claimOnlyTakesJobsOfItsQueue() {
    intake.enqueue(job("mail"));
    assertThat(claim(runnerQueue, "default", "r", t0)).isEmpty();
    assertThat(claim(runnerQueue, "mail", "r", t0)).isPresent();
  }

  @Test
  void claimSkipsJobsThatCouldNotFinishInTheTimeLeft() {
    long id = intake.enqueue(job("default"));
    assertThat(
            first(
                runnerQueue.claim(
                    new ClaimRequest(
                        "default", "r", t0, Duration.ofMinutes(4), t0.plusSeconds(30), 1))))
        .isEmpty();
    assertThat(
            first(
                runnerQueue.claim(
                    new ClaimRequest(
                        "default", "r", t0, Duration.ofMinutes(5), t0.plusSeconds(30), 1))))
        .map(ClaimedJob::id)
        .contains(id);
  }

  @Test
  void claimMarksJobRunningAndRecordsAnAttempt() {
    long id = intake.enqueue(job("default"));
    ClaimedJob c = claim(runnerQueue, "default", "r1", t0.plusSeconds(1)).orElseThrow();

    assertThat(c.attempt()).isEqualTo(1);
    var info = reads.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.RUNNING);
    assertThat(info.runnerId()).isEqualTo("r1");
    assertThat(info.startedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(reads.attempts(id))
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo("running"));
  }

  @Test
  void finishingRecordsSuccessAndCountsTheRunnersJobs() {
    String runner = reserveOne("default");
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", runner, t0);

    assertThat(runnerQueue.finish(id, runner, new Finish.Succeeded(t0.plusSeconds(2)))).isTrue();

    var info = reads.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(info.finishedAt()).isEqualTo(t0.plusSeconds(2));
    assertThat(reads.attempts(id).getFirst().outcome()).isEqualTo("succeeded");
    assertThat(reads.runner(runner, t0).orElseThrow().jobsRun()).isEqualTo(1);
  }

  @Test
  void failureKeepsTheErrorAndOtherJobsGoOn() {
    long bad = intake.enqueue(job("default"));
    long good = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(
        bad,
        "r",
        new Finish.Failed(t0, "java.lang.IllegalStateException: boom", t0.plusSeconds(10)));

    assertThat(reads.job(bad, t0).orElseThrow().state()).isEqualTo(JobState.FAILED);
    assertThat(reads.job(bad, t0).orElseThrow().error()).contains("boom");
    assertThat(reads.attempts(bad).getFirst().outcome()).isEqualTo("failed");
    assertThat(claim(runnerQueue, "default", "r", t0)).map(ClaimedJob::id).contains(good);
    // its retry comes when the backoff has passed
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(5))).isEmpty();
    ClaimedJob retry = claim(runnerQueue, "default", "r", t0.plusSeconds(10)).orElseThrow();
    assertThat(retry.id()).isEqualTo(bad);
    assertThat(retry.attempt()).isEqualTo(2);
  }

  @Test
  void aFailureWithNoAttemptsLeftIsDeadAndKeepsEveryAttemptsError() {
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(id, "r", new Finish.Failed(t0, "first", t0));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(id, "r", new Finish.Failed(t0.plusSeconds(1), "second", null));

    var info = reads.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.finishedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(reads.attempts(id)).extracting(a -> a.error()).containsExactly("first", "second");
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(60))).isEmpty();
  }

  @Test
  void requeueRunsTheJobAgainLaterAndSnoozeGivesTheAttemptBack() {
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(id, "r", new Finish.Requeued(t0, t0.plusSeconds(10), "snoozed", false));

    var info = reads.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(info.attempts()).isZero();
    assertThat(reads.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome)
        .containsExactly(tuple(1, "snoozed"));
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(10)).orElseThrow().attempt())
        .isEqualTo(1);
    // the number given back runs again: its attempt is the running one now, then its end
    assertThat(reads.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome, AttemptInfo::startedAt)
        .containsExactly(tuple(1, "running", t0.plusSeconds(10)));
    runnerQueue.finish(id, "r", new Finish.Succeeded(t0.plusSeconds(12)));
    assertThat(reads.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome, AttemptInfo::finishedAt)
        .containsExactly(tuple(1, "succeeded", t0.plusSeconds(12)));
  }

  @Test
  void discardEndsTheJobCancelled() {
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(id, "r", new Finish.Discarded(t0, "not needed"));
    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aRunnerThatNoLongerHoldsTheJobCannotFinishIt() {
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, "default", "r1", t0);
    fleet.recover(t0.plusSeconds(31), t0, t0); // lease (30 s) ran out: back to the queue
    claim(runnerQueue, "default", "r2", t0.plusSeconds(32));

    assertThat(runnerQueue.finish(id, "r1", new Finish.Succeeded(t0.plusSeconds(33)))).isFalse();
    assertThat(reads.job(id, t0).orElseThrow().runnerId()).isEqualTo("r2");
    assertThat(runnerQueue.finish(id, "r2", new Finish.Succeeded(t0.plusSeconds(33)))).isTrue();
  }

  @Test
  void heartbeatRenewsLeasesAndReportsCancelRequests() {
    String runner = reserveOne("default");
    long id = intake.enqueue(job("default"));
    claim(runnerQueue, runner, runner, t0);
    claim(runnerQueue, "default", runner, t0);

    assertThat(runnerQueue.heartbeat(runner, t0.plusSeconds(20), t0.plusSeconds(50))).isEmpty();
    assertThat(fleet.recover(t0.plusSeconds(40), t0, t0).jobsRequeued()).isZero();

    intake.cancel(id, t0.plusSeconds(41));
    assertThat(runnerQueue.heartbeat(runner, t0.plusSeconds(42), t0.plusSeconds(72)))
        .containsExactly(id);
  }

  @Test
  void logLinesAreKeptInOrder() {
    long id = intake.enqueue(job("default"));
    runnerQueue.appendLog(
        id, 1, List.of(new LogLine(t0, "info", "one"), new LogLine(t0, "warn", "two")));
    runnerQueue.appendLog(id, 1, List.of(new LogLine(t0, "info", "three")));
    assertThat(reads.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly("one", "two", "three");
  }

  @Test
  void reportingInBringsTheRunnersFirstJobsBestFirst() {
    String runner = reserveOne("q");
    long low = intake.enqueue(job("q"));
    long high = intake.enqueue(new NewJob("sleep", "q", "{}", 5, t0, TIMEOUT, 5, t0));
    long third = intake.enqueue(job("q"));
    Instant at = t0.plusSeconds(2);

    List<ClaimedJob> first =
        runnerQueue
            .startAndClaim(new ClaimRequest("q", runner, at, PLENTY, at.plusSeconds(30), 2))
            .orElseThrow();

    assertThat(first).extracting(ClaimedJob::id).containsExactly(high, low);
    var info = reads.runner(runner, at).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.RUNNING);
    assertThat(info.startedAt()).isEqualTo(at);
    assertThat(reads.job(high, at).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(reads.job(third, at).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    // an empty queue still reports the runner in
    String idle = reserveOne("empty");
    assertThat(
            runnerQueue.startAndClaim(
                new ClaimRequest("empty", idle, at, PLENTY, at.plusSeconds(30), 2)))
        .contains(List.of());
    assertThat(reads.runner(idle, at).orElseThrow().state()).isEqualTo(RunnerState.RUNNING);
  }

  @Test
  void aProcessThatIsNotTheRunnerClaimsNothingAsItReportsIn() {
    long id = intake.enqueue(job("q"));
    String twice = reserveOne("q");
    assertThat(runnerQueue.runnerStarted(twice, t0)).isTrue();
    String givenUp = reserveOne("q");
    assertThat(fleet.runnerLaunchFailed(givenUp, "no capacity", t0)).isTrue();

    for (String runner : List.of(twice, givenUp, "r-never-reserved")) {
      assertThat(
              runnerQueue.startAndClaim(
                  new ClaimRequest("q", runner, t0, PLENTY, t0.plusSeconds(30), 5)))
          .as(runner)
          .isEmpty();
    }
    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(reads.runner(givenUp, t0).orElseThrow().state()).isNotEqualTo(RunnerState.RUNNING);
  }

  @Test
  void ofSeveralIdleRunnersOnlyTheNewestStays() {
    String older = started("default", t0);
    String newer = started("default", t0.plusSeconds(1));
    String otherQueue = started("other", t0.plusSeconds(2));

    assertThat(runnerQueue.retireIfSurplus(newer, "default", t0.plusSeconds(3))).isFalse();
    assertThat(runnerQueue.retireIfSurplus(older, "default", t0.plusSeconds(3))).isTrue();
    assertThat(reads.runner(older, t0.plusSeconds(3)).orElseThrow().state())
        .isEqualTo(RunnerState.EXITED);
    // alone now, and nothing else of its queue counts
    assertThat(runnerQueue.retireIfSurplus(newer, "default", t0.plusSeconds(4))).isFalse();
    assertThat(runnerQueue.retireIfSurplus(otherQueue, "other", t0.plusSeconds(4))).isFalse();
    assertThat(reads.runner(newer, t0.plusSeconds(4)).orElseThrow().state())
        .isEqualTo(RunnerState.RUNNING);
  }

  @Test
  void anIdleRunnerLeavesWhenAnotherIsBusyOrStillLaunching() {
    intake.enqueue(job("default"));
    String idle = started("default", t0.plusSeconds(5));
    String busy = started("default", t0);
    claim(runnerQueue, "default", busy, t0.plusSeconds(6)).orElseThrow();
    assertThat(runnerQueue.retireIfSurplus(idle, "default", t0.plusSeconds(7))).isTrue();

    String idleToo = started("default", t0.plusSeconds(8));
    assertThat(runnerQueue.retireIfSurplus(idleToo, "default", t0.plusSeconds(9))).isTrue();

    String alone = started("other", t0.plusSeconds(9));
    reserveOne("other");
    assertThat(runnerQueue.retireIfSurplus(alone, "other", t0.plusSeconds(10))).isTrue();
  }

  @Test
  void concurrentIdleRunnersNeverAllLeave() throws Exception {
    for (int round = 0; round < 20; round++) {
      String queue = "race" + round;
      List<String> runners = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        runners.add(started(queue, t0));
      }
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<Boolean>> left = new ArrayList<>();
        for (String r : runners) {
          left.add(pool.submit(() -> runnerQueue.retireIfSurplus(r, queue, t0.plusSeconds(1))));
        }
        int gone = 0;
        for (var f : left) {
          gone += f.get() ? 1 : 0;
        }
        assertThat(gone).as("round %d", round).isEqualTo(3);
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void finishingAndClaimingTheNextHappenTogether() {
    String r = started("default", t0);
    long first = intake.enqueue(job("default"));
    long second = intake.enqueue(job("default"));
    assertThat(claim(runnerQueue, "default", r, t0).orElseThrow().id()).isEqualTo(first);

    FinishedAndClaimed done = succeedAndClaim(r, first, t0.plusSeconds(1));
    assertThat(done.recorded()).containsExactly(true);
    assertThat(done.claimed()).extracting(ClaimedJob::id).containsExactly(second);
    assertThat(reads.job(first, t0).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(reads.job(second, t0).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(reads.attempts(first))
        .extracting(AttemptInfo::outcome, AttemptInfo::finishedAt)
        .containsExactly(tuple("succeeded", t0.plusSeconds(1)));
    assertThat(reads.attempts(second))
        .extracting(AttemptInfo::outcome, AttemptInfo::runnerId)
        .containsExactly(tuple("running", r));
    assertThat(reads.runner(r, t0).orElseThrow().jobsRun()).isEqualTo(1);

    // an outcome the runner no longer holds is not recorded; the queue being empty claims nothing
    FinishedAndClaimed stale = succeedAndClaim(r, first, t0.plusSeconds(2));
    assertThat(stale.recorded()).containsExactly(false);
    assertThat(stale.claimed()).isEmpty();
    assertThat(reads.runner(r, t0).orElseThrow().jobsRun()).isEqualTo(1);
  }

  @Test
  void finishingSeveralOutcomesAndClaimingRecordsEachAsFinishWould() {
    String r = started("default", t0);
    long ok = intake.enqueue(job("default"));
    long bad = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 3, t0));
    long next = intake.enqueue(job("default"));
    assertThat(runnerQueue.claim(new ClaimRequest("default", r, t0, PLENTY, t0.plusSeconds(30), 2)))
        .hasSize(2);

    Instant at = t0.plusSeconds(1);
    FinishedAndClaimed done =
        runnerQueue.finishAllAndClaim(
            List.of(
                new Finished(ok, new Finish.Succeeded(at)),
                new Finished(bad, new Finish.Failed(at, "boom", at.plusSeconds(60)))),
            new ClaimRequest("default", r, at, PLENTY, at.plusSeconds(30), 5));

    assertThat(done.recorded()).containsExactly(true, true);
    assertThat(done.claimed()).extracting(ClaimedJob::id).containsExactly(next);
    assertThat(reads.job(ok, at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(reads.attempts(bad))
        .extracting(AttemptInfo::outcome, AttemptInfo::error)
        .containsExactly(tuple("failed", "boom"));
    assertThat(reads.runner(r, at).orElseThrow().jobsRun()).isEqualTo(2);
  }

  @Test
  void arrivalsAreWhenTheQueuesLatestJobsBecomeReadyNewestFirst() {
    for (int i = 0; i < 4; i++) {
      Instant at = t0.plusSeconds(i);
      intake.enqueue(new NewJob("sleep", "default", "{}", 0, at, TIMEOUT, 1, t0));
      intake.enqueue(new NewJob("sleep", "other", "{}", 0, at.plusMillis(500), TIMEOUT, 1, t0));
    }
    assertThat(runnerQueue.arrivals("default", 3))
        .containsExactly(t0.plusSeconds(3), t0.plusSeconds(2), t0.plusSeconds(1));
    assertThat(runnerQueue.arrivals("none", 3)).isEmpty();
  }

  @Test
  void concurrentClaimsFromSeparateHandlesNeverTakeTheSameJob() throws Exception {
    int jobs = 300;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      batch.add(job("default"));
    }
    intake.enqueueAll(batch);
    int workers = 4;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    Set<Long> claimed = ConcurrentHashMap.newKeySet();
    List<Long> all = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      JobStore handle = track(openAnother());
      String runner = "r" + w;
      futures.add(
          pool.submit(
              () -> {
                start.await();
                for (Optional<ClaimedJob> c = claim(handle.runnerQueue(), "default", runner, t0);
                    c.isPresent();
                    c = claim(handle.runnerQueue(), "default", runner, t0)) {
                  claimed.add(c.get().id());
                  all.add(c.get().id());
                  handle.runnerQueue().finish(c.get().id(), runner, new Finish.Succeeded(t0));
                }
                return null;
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();

    assertThat(all).hasSize(jobs);
    assertThat(new HashSet<>(all)).hasSize(jobs);
    assertThat(reads.jobs(JobFilter.all().state(JobState.SUCCEEDED).limit(jobs + 1), t0))
        .hasSize(jobs);
  }

  /**
   * The claim's LIMIT holds under contention: a pick that the database evaluated again (as
   * PostgreSQL may do with a sub-select under {@code SKIP LOCKED}) would hand one call more jobs
   * than it asked for.
   */
  @Test
  void concurrentBatchClaimsNeverGetMoreJobsThanAskedFor() throws Exception {
    int jobs = 600;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      batch.add(new NewJob("sleep", "default", "{}", i % 3, t0, TIMEOUT, 1, t0));
    }
    intake.enqueueAll(batch);
    int workers = 6;
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    List<Long> all = Collections.synchronizedList(new ArrayList<>());
    List<String> oversized = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      JobStore handle = track(openAnother());
      String runner = "r" + w;
      int limit = 1 + w % 4; // 1, 2, 3, 4, 1, 2
      futures.add(
          pool.submit(
              () -> {
                start.await();
                while (true) {
                  List<ClaimedJob> got =
                      handle
                          .runnerQueue()
                          .claim(
                              new ClaimRequest(
                                  "default", runner, t0, PLENTY, t0.plusSeconds(30), limit));
                  if (got.isEmpty()) {
                    return null;
                  }
                  if (got.size() > limit) {
                    oversized.add(runner + " asked for " + limit + ", got " + got.size());
                  }
                  got.forEach(j -> all.add(j.id()));
                }
              }));
    }
    start.countDown();
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdown();

    assertThat(oversized).isEmpty();
    assertThat(all).hasSize(jobs);
    assertThat(new HashSet<>(all)).hasSize(jobs);
    assertThat(reads.counts(t0).getFirst().running()).isEqualTo(jobs);
  }

  @Test
  void oneJobsUnstorableErrorDoesNotPoisonItsBatch() {
    String runner = started("default", t0);
    for (int i = 0; i < 6; i++) {
      intake.enqueue(job("default"));
    }
    List<ClaimedJob> claimed =
        runnerQueue.claim(new ClaimRequest("default", runner, t0, PLENTY, t0.plusSeconds(30), 6));
    List<Finished> outcomes = new ArrayList<>();
    Instant at = t0.plusSeconds(1);
    claimed
        .subList(0, 5)
        .forEach(j -> outcomes.add(new Finished(j.id(), new Finish.Succeeded(at))));
    long bad = claimed.get(5).id();
    outcomes.add(new Finished(bad, new Finish.Failed(at, "a\u0000b \uD800 c \uD83D\uDE00", null)));

    assertThat(runnerQueue.finishAll(runner, outcomes)).containsOnly(true);

    for (ClaimedJob j : claimed.subList(0, 5)) {
      assertThat(reads.job(j.id(), at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
    JobInfo dead = reads.job(bad, at).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.error()).isEqualTo("a\uFFFDb \uFFFD c \uD83D\uDE00");
    assertThat(reads.attempts(bad))
        .singleElement()
        .extracting(AttemptInfo::error)
        .isEqualTo("a\uFFFDb \uFFFD c \uD83D\uDE00");
  }

  @Test
  void finishingAndClaimingTakesUnstorableTextToo() {
    String runner = started("default", t0);
    long bad = intake.enqueue(job("default"));
    long next = intake.enqueue(job("default"));
    runnerQueue.claim(new ClaimRequest("default", runner, t0, PLENTY, t0.plusSeconds(30), 1));

    FinishedAndClaimed r =
        runnerQueue.finishAllAndClaim(
            List.of(new Finished(bad, new Finish.Discarded(t0, "nul\u0000"))),
            new ClaimRequest("default", runner, t0, PLENTY, t0.plusSeconds(30), 1));

    assertThat(r.recorded()).containsExactly(true);
    assertThat(r.claimed()).extracting(ClaimedJob::id).containsExactly(next);
    assertThat(reads.job(bad, t0).orElseThrow().error()).isEqualTo("nul\uFFFD");
  }

  @Test
  void logLinesAndOutputWithNulOrLoneSurrogatesAreKeptWithTheCharacterReplaced() {
    long id = intake.enqueue(job("default"));
    runnerQueue.appendLog(
        id, 1, List.of(new LogLine(t0, "info", "x\u0000y"), new LogLine(t0, "info", "after")));
    String runner = reserveOne("default");
    runnerQueue.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "\uDC00!")),
            OutputLine.runner(new LogLine(t0, "out", "next"))));

    assertThat(reads.jobLog(id)).extracting(LogLine::message).containsExactly("x\uFFFDy", "after");
    assertThat(reads.runnerOutput(runner))
        .extracting(LogLine::message)
        .containsExactly("\uFFFD!", "next");
  }

  @Test
  void aRowTheDatabaseRefusesIsRecordedAloneWithWhatCouldBeKept() throws Exception {
    // a real refusal from the database itself: a trigger, as a constraint of the app's would be
    try (java.sql.Connection c = connect();
        java.sql.Statement st = c.createStatement()) {
      if (c.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres")) {
        st.execute(
            "CREATE FUNCTION mayfly_test_refuse() RETURNS trigger AS $$ BEGIN IF NEW.error LIKE"
                + " '%poison%' THEN RAISE EXCEPTION 'refused by a test trigger'; END IF; RETURN"
                + " NEW; END $$ LANGUAGE plpgsql");
        st.execute(
            "CREATE TRIGGER mayfly_test_refuse BEFORE UPDATE ON mayfly_jobs FOR EACH ROW"
                + " EXECUTE FUNCTION mayfly_test_refuse()");
      } else {
        st.execute(
            "CREATE TRIGGER mayfly_test_refuse BEFORE UPDATE ON mayfly_jobs"
                + " WHEN NEW.error LIKE '%poison%'"
                + " BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END");
      }
    }
    String runner = started("default", t0);
    for (int i = 0; i < 4; i++) {
      intake.enqueue(job("default"));
    }
    List<ClaimedJob> claimed =
        runnerQueue.claim(new ClaimRequest("default", runner, t0, PLENTY, t0.plusSeconds(30), 4));
    Instant at = t0.plusSeconds(1);
    List<Finished> outcomes = new ArrayList<>();
    claimed
        .subList(0, 3)
        .forEach(j -> outcomes.add(new Finished(j.id(), new Finish.Succeeded(at))));
    long bad = claimed.get(3).id();
    // what is kept is the head of the text; the part the database refuses is past it
    String error = "java.lang.IllegalStateException: " + "x".repeat(1_200) + " poison";
    outcomes.add(new Finished(bad, new Finish.Failed(at, error, at.plusSeconds(60))));

    assertThat(runnerQueue.finishAll(runner, outcomes)).containsOnly(true);

    for (ClaimedJob j : claimed.subList(0, 3)) {
      assertThat(reads.job(j.id(), at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
    JobInfo refused = reads.job(bad, at).orElseThrow();
    assertThat(refused.state()).isEqualTo(JobState.FAILED);
    assertThat(refused.error())
        .startsWith("the database refused to store this attempt's text (")
        .contains("refused by a test trigger")
        .contains("what could be kept of it: java.lang.IllegalStateException: xxx")
        .doesNotContain("poison");
  }

  @Test
  void anAttemptGivenBackCountsAndWithNoneLeftTheJobIsDead() {
    long id = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 2, t0));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(id, "r", new Finish.Requeued(t0, t0, "stopped (SIGTERM)", true));
    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);

    claim(runnerQueue, "default", "r", t0.plusSeconds(1));
    // a snooze gives its attempt back, so it never ends a job
    runnerQueue.finish(id, "r", new Finish.Requeued(t0, t0, "snoozed", false));
    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);

    claim(runnerQueue, "default", "r", t0.plusSeconds(2));
    runnerQueue.finish(
        id, "r", new Finish.Requeued(t0.plusSeconds(3), t0, "stopped (SIGTERM)", true));

    JobInfo dead = reads.job(id, t0.plusSeconds(3)).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.finishedAt()).isEqualTo(t0.plusSeconds(3));
    assertThat(dead.error()).isEqualTo("stopped (SIGTERM)");
    assertThat(reads.attempts(id))
        .extracting(AttemptInfo::outcome)
        .containsExactly("retry", "failed");
    assertThat(claim(runnerQueue, "default", "r", t0.plusSeconds(4))).isEmpty();
  }

  @Test
  void anyTextAJobMakesIsStoredAsItWasButForTheCharactersNoDatabaseTakes() {
    java.util.Random random = new java.util.Random(31);
    int n = 30;
    List<String> texts = new ArrayList<>();
    texts.add(arbitraryText(random, 1 << 20)); // a 1 MB error, log line and output line
    for (int i = 1; i < n; i++) {
      texts.add(arbitraryText(random, 1 + random.nextInt(3_000)));
    }
    String runner = started("default", t0);
    for (int i = 0; i < n; i++) {
      intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    }
    List<ClaimedJob> claimed =
        runnerQueue.claim(new ClaimRequest("default", runner, t0, PLENTY, t0.plusSeconds(30), n));
    List<Finished> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long id = claimed.get(i).id();
      outcomes.add(new Finished(id, new Finish.Failed(t0, texts.get(i), null)));
      runnerQueue.appendLog(id, 1, List.of(new LogLine(t0, "info", texts.get(i))));
    }
    runnerQueue.appendRunnerOutput(
        runner, texts.stream().map(t -> OutputLine.runner(new LogLine(t0, "out", t))).toList());

    assertThat(runnerQueue.finishAll(runner, outcomes)).containsOnly(true);

    List<LogLine> output = reads.runnerOutput(runner);
    for (int i = 0; i < n; i++) {
      String expected = replaced(texts.get(i));
      long id = claimed.get(i).id();
      String error = reads.job(id, t0).orElseThrow().error();
      if (i == 0) { // cut to its head and tail
        assertThat(error)
            .startsWith(expected.substring(0, 1_000))
            .contains("[truncated ")
            .hasSizeLessThan(70 * 1024);
      } else {
        assertThat(error).as("error %d", i).isEqualTo(expected);
      }
      assertThat(reads.jobLog(id))
          .as("log of job %d", i)
          .extracting(LogLine::message)
          .singleElement()
          .satisfies(
              m -> assertThat(expected).startsWith(m.substring(0, Math.min(m.length(), 100))));
      assertThat(output.get(i).message())
          .as("output line %d", i)
          .startsWith(expected.substring(0, Math.min(expected.length(), 100)));
    }
  }

  /** Text of every kind a program may print: NUL, controls, lone and paired surrogates, CJK. */
  private static String arbitraryText(java.util.Random random, int length) {
    String[] parts = {
      "a",
      "Z",
      " ",
      "\n",
      "\t",
      "\r",
      "\u0000",
      "\u0001",
      "\u001b[31m",
      "\uD800",
      "\uDBFF",
      "\uDC00",
      "\uD83D\uDE00",
      "\u00e9",
      "\u4e2d",
      "\uFFFF",
      "\uFEFF",
      "'",
      "\"",
      "\\",
      "%s",
      "?"
    };
    StringBuilder sb = new StringBuilder(length + 8);
    while (sb.length() < length) {
      sb.append(parts[random.nextInt(parts.length)]);
    }
    return sb.toString();
  }

  /** {@code text} with NUL and each lone surrogate replaced by U+FFFD, the way a reader expects. */
  private static String replaced(String text) {
    StringBuilder sb = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      i += Character.charCount(cp);
      sb.appendCodePoint(cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) ? 0xFFFD : cp);
    }
    return sb.toString();
  }
}
