package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mayfly.api.AttemptInfo;
import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link JobStore} must have. Subclass it per implementation and provide fresh,
 * empty stores; {@link #openAnother()} must open a second handle on the same database, as another
 * process would.
 */
public abstract class JobStoreContract {
  private static final Duration TIMEOUT = Duration.ofMinutes(5);
  private static final Duration PLENTY = Duration.ofHours(1);
  protected final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
  protected JobStore store;
  private final List<JobStore> opened = new ArrayList<>();

  /** A new, empty store. */
  protected abstract JobStore openFresh() throws Exception;

  /** Another handle on the database of the last {@link #openFresh()}. */
  protected abstract JobStore openAnother() throws Exception;

  /** A plain JDBC connection to the store's database, as an app's own pool would give. */
  protected abstract java.sql.Connection connect() throws java.sql.SQLException;

  @BeforeEach
  void openStore() throws Exception {
    store = track(openFresh());
  }

  @AfterEach
  protected void closeStores() {
    opened.forEach(JobStore::close);
    opened.clear();
  }

  protected JobStore track(JobStore s) {
    opened.add(s);
    return s;
  }

  protected NewJob job(String queue) {
    return new NewJob("sleep", queue, "{\"millis\":1}", 0, t0, TIMEOUT, 5, t0);
  }

  private Optional<ClaimedJob> claim(JobStore s, String queue, String runner, Instant now) {
    return s.claim(queue, runner, now, PLENTY, now.plusSeconds(30));
  }

  @Test
  void enqueuedJobIsQueuedWithItsArguments() {
    long id = store.enqueue(job("default"));

    var info = store.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.type()).isEqualTo("sleep");
    assertThat(info.args()).isEqualTo("{\"millis\":1}");
    assertThat(info.enqueuedAt()).isEqualTo(t0);
    assertThat(info.attempts()).isZero();
  }

  @Test
  void jobWithFutureRunAtIsScheduledAndCannotBeClaimedUntilThen() {
    NewJob later = new NewJob("sleep", "default", "{}", 0, t0.plusSeconds(60), TIMEOUT, 1, t0);
    long id = store.enqueue(later);

    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(claim(store, "default", "r1", t0)).isEmpty();
    assertThat(claim(store, "default", "r1", t0.plusSeconds(60))).map(ClaimedJob::id).contains(id);
  }

  @Test
  void claimTakesHighestPriorityThenOldest() {
    long low = store.enqueue(job("default"));
    long high =
        store.enqueue(new NewJob("sleep", "default", "{}", 5, t0.plusMillis(1), TIMEOUT, 1, t0));
    long lowLater = store.enqueue(job("default"));

    assertThat(claim(store, "default", "r", t0.plusSeconds(1)).orElseThrow().id()).isEqualTo(high);
    assertThat(claim(store, "default", "r", t0.plusSeconds(1)).orElseThrow().id()).isEqualTo(low);
    assertThat(claim(store, "default", "r", t0.plusSeconds(1)).orElseThrow().id())
        .isEqualTo(lowLater);
    assertThat(claim(store, "default", "r", t0.plusSeconds(1))).isEmpty();
  }

  @Test
  void aBatchClaimTakesSeveralJobsInClaimOrder() {
    long a = store.enqueue(job("default"));
    long b = store.enqueue(job("default"));
    long urgent = store.enqueue(new NewJob("sleep", "default", "{}", 9, t0, TIMEOUT, 1, t0));
    store.enqueue(job("default"));

    List<ClaimedJob> got = store.claim("default", "r", t0, PLENTY, t0.plusSeconds(30), 3);

    assertThat(got).extracting(ClaimedJob::id).containsExactly(urgent, a, b);
    assertThat(store.attempts(a)).hasSize(1);
    assertThat(store.claim("default", "r", t0, PLENTY, t0.plusSeconds(30), 3)).hasSize(1);
  }

  @Test
  void batchEnqueueReturnsIdsInOrder() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(new NewJob("sleep", "default", "{\"n\":" + i + "}", 0, t0, TIMEOUT, 1, t0));
    }
    List<Long> ids = store.enqueueAll(batch);
    for (int i = 0; i < 50; i++) {
      assertThat(store.job(ids.get(i), t0).orElseThrow().args()).isEqualTo("{\"n\":" + i + "}");
    }
  }

  @Test
  void pruningDeletesOnlyJobsAndRunnersFinishedBeforeTheCutoff() {
    String runner = reserveOne("default");
    long old = store.enqueue(job("default"));
    long recent = store.enqueue(job("default"));
    long waiting = store.enqueue(job("default"));
    claim(store, "default", runner, t0);
    store.finish(old, runner, new Finish.Succeeded(t0));
    store.appendLog(old, 1, List.of(new LogLine(t0, "info", "x")));
    claim(store, "default", runner, t0);
    store.finish(recent, runner, new Finish.Succeeded(t0.plusSeconds(100)));
    store.runnerExited(runner, 0, t0.plusSeconds(1));

    assertThat(store.prune(t0.plusSeconds(50))).isEqualTo(1);

    assertThat(store.job(old, t0)).isEmpty();
    assertThat(store.jobLog(old)).isEmpty();
    assertThat(store.attempts(old)).isEmpty();
    assertThat(store.job(recent, t0)).isPresent();
    assertThat(store.job(waiting, t0)).isPresent();
    assertThat(store.runner(runner, t0)).isEmpty();
  }

  @Test
  void claimOnlyTakesJobsOfItsQueue() {
    store.enqueue(job("mail"));
    assertThat(claim(store, "default", "r", t0)).isEmpty();
    assertThat(claim(store, "mail", "r", t0)).isPresent();
  }

  @Test
  void claimSkipsJobsThatCouldNotFinishInTheTimeLeft() {
    long id = store.enqueue(job("default"));
    assertThat(store.claim("default", "r", t0, Duration.ofMinutes(4), t0.plusSeconds(30)))
        .isEmpty();
    assertThat(store.claim("default", "r", t0, Duration.ofMinutes(5), t0.plusSeconds(30)))
        .map(ClaimedJob::id)
        .contains(id);
  }

  @Test
  void claimMarksJobRunningAndRecordsAnAttempt() {
    long id = store.enqueue(job("default"));
    ClaimedJob c = claim(store, "default", "r1", t0.plusSeconds(1)).orElseThrow();

    assertThat(c.attempt()).isEqualTo(1);
    var info = store.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.RUNNING);
    assertThat(info.runnerId()).isEqualTo("r1");
    assertThat(info.startedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(store.attempts(id))
        .singleElement()
        .satisfies(a -> assertThat(a.outcome()).isEqualTo("running"));
  }

  @Test
  void finishingRecordsSuccessAndCountsTheRunnersJobs() {
    String runner = reserveOne("default");
    long id = store.enqueue(job("default"));
    claim(store, "default", runner, t0);

    assertThat(store.finish(id, runner, new Finish.Succeeded(t0.plusSeconds(2)))).isTrue();

    var info = store.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(info.finishedAt()).isEqualTo(t0.plusSeconds(2));
    assertThat(store.attempts(id).getFirst().outcome()).isEqualTo("succeeded");
    assertThat(store.runner(runner, t0).orElseThrow().jobsRun()).isEqualTo(1);
  }

  @Test
  void failureKeepsTheErrorAndOtherJobsGoOn() {
    long bad = store.enqueue(job("default"));
    long good = store.enqueue(job("default"));
    claim(store, "default", "r", t0);
    store.finish(
        bad,
        "r",
        new Finish.Failed(t0, "java.lang.IllegalStateException: boom", t0.plusSeconds(10)));

    assertThat(store.job(bad, t0).orElseThrow().state()).isEqualTo(JobState.FAILED);
    assertThat(store.job(bad, t0).orElseThrow().error()).contains("boom");
    assertThat(store.attempts(bad).getFirst().outcome()).isEqualTo("failed");
    assertThat(claim(store, "default", "r", t0)).map(ClaimedJob::id).contains(good);
    // its retry comes when the backoff has passed
    assertThat(claim(store, "default", "r", t0.plusSeconds(5))).isEmpty();
    ClaimedJob retry = claim(store, "default", "r", t0.plusSeconds(10)).orElseThrow();
    assertThat(retry.id()).isEqualTo(bad);
    assertThat(retry.attempt()).isEqualTo(2);
  }

  @Test
  void aFailureWithNoAttemptsLeftIsDeadAndKeepsEveryAttemptsError() {
    long id = store.enqueue(job("default"));
    claim(store, "default", "r", t0);
    store.finish(id, "r", new Finish.Failed(t0, "first", t0));
    claim(store, "default", "r", t0);
    store.finish(id, "r", new Finish.Failed(t0.plusSeconds(1), "second", null));

    var info = store.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.DEAD);
    assertThat(info.finishedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(store.attempts(id)).extracting(a -> a.error()).containsExactly("first", "second");
    assertThat(claim(store, "default", "r", t0.plusSeconds(60))).isEmpty();
  }

  @Test
  void aDeadJobRetriedRunsOnceMoreAndOthersStayPut() {
    long dead = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    long other = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(store, "default", "r", t0);
    store.finish(dead, "r", new Finish.Failed(t0, "boom", null));
    claim(store, "default", "r", t0);
    store.finish(other, "r", new Finish.Succeeded(t0));

    assertThat(store.retry(dead, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(store.retry(other, t0.plusSeconds(5)).orElseThrow().state())
        .as("succeeded jobs are not retried")
        .isEqualTo(JobState.SUCCEEDED);
    assertThat(store.retry(999_999, t0)).isEmpty();
    ClaimedJob again = claim(store, "default", "r", t0.plusSeconds(5)).orElseThrow();
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.maxAttempts()).isEqualTo(2);
  }

  @Test
  void retryingAllDeadJobsRequeuesOnlyThem() {
    for (int i = 0; i < 3; i++) {
      long id = store.enqueue(job("default"));
      claim(store, "default", "r", t0);
      store.finish(id, "r", new Finish.Failed(t0, "boom", null));
    }
    store.enqueue(job("default"));
    RetriedDead r = store.retryDead(t0.plusSeconds(1));
    assertThat(r.retried()).hasSize(3);
    assertThat(r.refused()).isEmpty();
    assertThat(store.counts(t0.plusSeconds(1)).getFirst().queued()).isEqualTo(4);
    assertThat(store.counts(t0.plusSeconds(1)).getFirst().dead()).isZero();
  }

  /** A job of {@code key} (none if null) that ran once and died. */
  private long deadJob(@org.jspecify.annotations.Nullable String key) {
    long id = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, key));
    assertThat(claim(store, "default", "r", t0).orElseThrow().id()).isEqualTo(id);
    store.finish(id, "r", new Finish.Failed(t0, "boom", null));
    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.DEAD);
    return id;
  }

  @Test
  void retryingAllDeadJobsRetriesEveryOneItCanAndReportsThoseAUniqueKeyHoldsBack() {
    long heldBack = deadJob("k1");
    long older = deadJob("k2");
    long newer = deadJob("k2"); // two dead jobs may share a key: the index covers live ones only
    long plain = deadJob(null);
    long holder =
        store.enqueue(new NewJob("sleep", "other", "{}", 0, t0, TIMEOUT, 1, t0, "k1")); // live

    RetriedDead r = store.retryDead(t0.plusSeconds(1));

    assertThat(r.retried()).containsExactly(newer, plain);
    assertThat(r.refused())
        .containsExactlyInAnyOrder(
            new KeyHeld(heldBack, "k1", holder), new KeyHeld(older, "k2", newer));
    assertThat(new KeyHeld(heldBack, "k1", holder).reason())
        .isEqualTo("a live job " + holder + " holds unique key 'k1'");
    assertThat(store.job(heldBack, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.DEAD);
    assertThat(store.job(older, t0.plusSeconds(5)).orElseThrow().state()).isEqualTo(JobState.DEAD);
    assertThat(store.job(newer, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(store.job(plain, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(store.retryDead(t0.plusSeconds(2)).retried()).as("nothing more goes").isEmpty();
  }

  @Test
  void retryingADeadJobWhoseKeyALiveJobHoldsSaysWhichAndChangesNothing() {
    long dead = deadJob("k");
    long holder = store.enqueue(new NewJob("sleep", "other", "{}", 0, t0, TIMEOUT, 1, t0, "k"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.retry(dead, t0.plusSeconds(1)))
        .isInstanceOfSatisfying(
            KeyHeldException.class,
            e -> assertThat(e.held()).isEqualTo(new KeyHeld(dead, "k", holder)))
        .hasMessageContaining("job " + dead + " was not retried")
        .hasMessageContaining("a live job " + holder + " holds unique key 'k'");
    assertThat(store.job(dead, t0).orElseThrow().state()).isEqualTo(JobState.DEAD);

    store.cancel(holder, t0.plusSeconds(2));
    assertThat(store.retry(dead, t0.plusSeconds(3)).orElseThrow().state())
        .as("once the holder has finished")
        .isEqualTo(JobState.QUEUED);
  }

  @Test
  void aUniqueKeyHoldsWhileItsJobIsUnfinished() {
    NewJob unique = new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "commit:abc");
    long first = store.enqueue(unique);
    assertThat(store.enqueue(unique)).as("queued").isEqualTo(first);
    claim(store, "default", "r", t0);
    assertThat(store.enqueue(unique)).as("running").isEqualTo(first);
    store.finish(first, "r", new Finish.Succeeded(t0));

    long second = store.enqueue(unique);
    assertThat(second).as("the first finished").isNotEqualTo(first);
    assertThat(store.enqueue(job("default"))).isNotEqualTo(second);
  }

  @Test
  void jobsEnqueuedInACallersTransactionExistOnlyIfItCommits() throws Exception {
    NewJob unique = new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "in-tx");
    try (java.sql.Connection c = connect()) {
      c.setAutoCommit(false);
      List<Long> ids = store.enqueueAllOn(c, List.of(job("default"), unique));
      assertThat(store.enqueueAllOn(c, List.of(unique)))
          .as("its unique job, seen inside its own transaction")
          .containsExactly(ids.get(1));
      assertThat(store.job(ids.getFirst(), t0)).as("before the commit").isEmpty();
      c.rollback();
      assertThat(ids).allMatch(id -> store.job(id, t0).isEmpty(), "gone with the rollback");

      List<Long> kept = store.enqueueAllOn(c, List.of(job("default"), unique));
      c.commit();
      assertThat(kept).allMatch(id -> store.job(id, t0).isPresent(), "there after the commit");

      // A unique job that exists already is found, and the caller's transaction goes on.
      assertThat(store.enqueueAllOn(c, List.of(unique))).containsExactly(kept.get(1));
      c.commit();
    }
    assertThat(store.counts(t0).getFirst().queued()).isEqualTo(2);
  }

  @Test
  void concurrentEnqueuesWithOneUniqueKeyMakeOneJob() throws Exception {
    List<Long> ids =
        race(
            handle ->
                handle.enqueue(
                    new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "only-one")));
    assertThat(new HashSet<>(ids)).hasSize(1);
    assertThat(store.counts(t0).getFirst().queued()).isEqualTo(1);
  }

  /** What four handles on the database return when they do {@code work} at the same moment. */
  private <T> List<T> race(java.util.function.Function<JobStore, T> work) throws Exception {
    int handles = 4;
    ExecutorService pool = Executors.newFixedThreadPool(handles);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<T>> results = new ArrayList<>();
    for (int h = 0; h < handles; h++) {
      JobStore handle = track(openAnother());
      results.add(
          pool.submit(
              () -> {
                start.await();
                return work.apply(handle);
              }));
    }
    start.countDown();
    List<T> out = new ArrayList<>();
    for (Future<T> f : results) {
      out.add(f.get());
    }
    pool.shutdown();
    return out;
  }

  private static StoredSchedule schedule(String name, String cron) {
    return new StoredSchedule(name, cron, "UTC", "sleep", "{}", null, "latest", "skip");
  }

  @Test
  void schedulesAreDefinedKeepTheirHistoryAndGoWhenNoLongerListed() {
    store.defineSchedules(
        List.of(schedule("hourly", "0 * * * *"), schedule("daily", "0 3 * * *")), t0);
    assertThat(store.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default")))
        .isNotNull();
    // redefined later with another cron: it keeps when it last fired, and when it began
    store.defineSchedules(List.of(schedule("hourly", "30 * * * *")), t0.plusSeconds(7200));
    List<ScheduleState> all = store.schedules();
    assertThat(all).extracting(s -> s.schedule().name()).containsExactly("hourly");
    ScheduleState hourly = all.getFirst();
    assertThat(hourly.schedule().cron()).isEqualTo("30 * * * *");
    assertThat(hourly.since()).isEqualTo(t0);
    assertThat(hourly.lastFire()).isEqualTo(t0.plusSeconds(3600));
    assertThat(hourly.lastJobState()).isEqualTo(JobState.QUEUED);
    assertThat(hourly.fired()).isEqualTo(1);
  }

  @Test
  void aFireTimeIsHandledOnceWhicheverHandleTriesFirst() throws Exception {
    store.defineSchedules(List.of(schedule("hourly", "0 * * * *")), t0);
    Instant at = t0.plusSeconds(3600);
    List<Long> fired =
        race(handle -> handle.fireSchedule("hourly", null, at, job("default"))).stream()
            .filter(java.util.Objects::nonNull)
            .toList();
    assertThat(fired).hasSize(1);
    assertThat(store.counts(t0).getFirst().queued()).isEqualTo(1);
    ScheduleState s = store.schedules().getFirst();
    assertThat(s.lastFire()).isEqualTo(at);
    assertThat(s.lastJobId()).isEqualTo(fired.getFirst());
    // the next time is handled only from the last one: a handle that missed it is refused
    assertThat(store.fireSchedule("hourly", null, at.plusSeconds(3600), job("default"))).isNull();
    assertThat(store.skipSchedule("hourly", at, at.plusSeconds(3600))).isTrue();
    assertThat(store.schedules().getFirst().skipped()).isEqualTo(1);
    assertThat(store.counts(t0).getFirst().queued()).isEqualTo(1);
  }

  @Test
  void aPausedScheduleFiresNothingAndARunByHandIsItsLatestJob() {
    store.defineSchedules(List.of(schedule("hourly", "0 * * * *")), t0);
    assertThat(store.pauseSchedule("hourly", true)).isTrue();
    assertThat(store.pauseSchedule("nothing", true)).isFalse();
    assertThat(store.schedules().getFirst().paused()).isTrue();
    assertThat(store.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default"))).isNull();
    Long id = store.runScheduleNow("hourly", job("default"));
    assertThat(id).isNotNull();
    assertThat(store.runScheduleNow("nothing", job("default"))).isNull();
    ScheduleState s = store.schedules().getFirst();
    assertThat(s.lastJobId()).isEqualTo(id);
    assertThat(s.lastFire()).isNull();
    assertThat(store.pauseSchedule("hourly", false)).isTrue();
    assertThat(store.fireSchedule("hourly", null, t0.plusSeconds(3600), job("default")))
        .isNotNull();
  }

  @Test
  void aLostAttemptWithNoAttemptsLeftMakesTheJobDead() {
    long id = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(store, "default", "r", t0);
    store.recover(t0.plusSeconds(31), t0, t0);
    assertThat(store.job(id, t0.plusSeconds(31)).orElseThrow().state()).isEqualTo(JobState.DEAD);
  }

  @Test
  void requeueRunsTheJobAgainLaterAndSnoozeGivesTheAttemptBack() {
    long id = store.enqueue(job("default"));
    claim(store, "default", "r", t0);
    store.finish(id, "r", new Finish.Requeued(t0, t0.plusSeconds(10), "snoozed", false));

    var info = store.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.SCHEDULED);
    assertThat(info.attempts()).isZero();
    assertThat(store.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome)
        .containsExactly(tuple(1, "snoozed"));
    assertThat(claim(store, "default", "r", t0.plusSeconds(10)).orElseThrow().attempt())
        .isEqualTo(1);
    // the number given back runs again: its attempt is the running one now, then its end
    assertThat(store.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome, AttemptInfo::startedAt)
        .containsExactly(tuple(1, "running", t0.plusSeconds(10)));
    store.finish(id, "r", new Finish.Succeeded(t0.plusSeconds(12)));
    assertThat(store.attempts(id))
        .extracting(AttemptInfo::attempt, AttemptInfo::outcome, AttemptInfo::finishedAt)
        .containsExactly(tuple(1, "succeeded", t0.plusSeconds(12)));
  }

  @Test
  void discardEndsTheJobCancelled() {
    long id = store.enqueue(job("default"));
    claim(store, "default", "r", t0);
    store.finish(id, "r", new Finish.Discarded(t0, "not needed"));
    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
  }

  @Test
  void aRunnerThatNoLongerHoldsTheJobCannotFinishIt() {
    long id = store.enqueue(job("default"));
    claim(store, "default", "r1", t0);
    store.recover(t0.plusSeconds(31), t0, t0); // lease (30 s) ran out: back to the queue
    claim(store, "default", "r2", t0.plusSeconds(32));

    assertThat(store.finish(id, "r1", new Finish.Succeeded(t0.plusSeconds(33)))).isFalse();
    assertThat(store.job(id, t0).orElseThrow().runnerId()).isEqualTo("r2");
    assertThat(store.finish(id, "r2", new Finish.Succeeded(t0.plusSeconds(33)))).isTrue();
  }

  @Test
  void expiredLeaseReturnsTheJobToTheQueueWithTheAttemptRecordedAsLost() {
    long id = store.enqueue(job("default"));
    claim(store, "default", "r1", t0);

    assertThat(store.recover(t0.plusSeconds(10), t0, t0).jobsRequeued()).isZero();
    assertThat(store.recover(t0.plusSeconds(31), t0, t0).jobsRequeued()).isEqualTo(1);

    var info = store.job(id, t0.plusSeconds(31)).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.attempts()).isEqualTo(1);
    assertThat(store.attempts(id).getFirst().outcome()).isEqualTo("lost");
    assertThat(claim(store, "default", "r2", t0.plusSeconds(31)).orElseThrow().attempt())
        .isEqualTo(2);
  }

  @Test
  void heartbeatRenewsLeasesAndReportsCancelRequests() {
    String runner = reserveOne("default");
    long id = store.enqueue(job("default"));
    claim(store, runner, runner, t0);
    claim(store, "default", runner, t0);

    assertThat(store.heartbeat(runner, t0.plusSeconds(20), t0.plusSeconds(50))).isEmpty();
    assertThat(store.recover(t0.plusSeconds(40), t0, t0).jobsRequeued()).isZero();

    store.cancel(id, t0.plusSeconds(41));
    assertThat(store.heartbeat(runner, t0.plusSeconds(42), t0.plusSeconds(72))).containsExactly(id);
  }

  @Test
  void cancellingAQueuedJobMeansItNeverStarts() {
    long id = store.enqueue(job("default"));
    assertThat(store.cancel(id, t0).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(claim(store, "default", "r", t0)).isEmpty();
  }

  @Test
  void logLinesAreKeptInOrder() {
    long id = store.enqueue(job("default"));
    store.appendLog(id, 1, List.of(new LogLine(t0, "info", "one"), new LogLine(t0, "warn", "two")));
    store.appendLog(id, 1, List.of(new LogLine(t0, "info", "three")));
    assertThat(store.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly("one", "two", "three");
  }

  @Test
  void filtersJobsByStateQueueAndType() {
    long a = store.enqueue(job("a"));
    store.enqueue(job("b"));
    store.enqueue(new NewJob("fail", "a", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(store, "b", "r", t0);

    assertThat(store.jobs(JobFilter.all().queue("a").type("sleep"), t0))
        .extracting(j -> j.id())
        .containsExactly(a);
    assertThat(store.jobs(JobFilter.all().state(JobState.RUNNING), t0)).hasSize(1);
    assertThat(store.jobs(JobFilter.all().state(JobState.QUEUED), t0)).hasSize(2);
  }

  @Test
  void pagesOfJobsFollowEachOtherWithoutGapOrRepeat() {
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(store.enqueue(job(i % 5 == 0 ? "other" : "pages")));
    }
    List<Long> expected =
        ids.reversed().stream()
            .filter(id -> ids.indexOf(id) % 5 != 0)
            .toList(); // the 20 of queue "pages", newest first

    List<Long> seen = new java.util.ArrayList<>();
    JobFilter page = JobFilter.all().queue("pages").limit(8);
    List<JobInfo> jobs = store.jobs(page, t0);
    // Jobs enqueued while paging are newer than the cursor: they neither shift nor repeat a page.
    store.enqueue(job("pages"));
    while (!jobs.isEmpty()) {
      jobs.forEach(j -> seen.add(j.id()));
      page = page.before(jobs.getLast().id());
      jobs = store.jobs(page, t0);
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void pagesOfRunnersFollowEachOtherWithoutGapOrRepeat() {
    // Launched in 4 distinct instants, 3 at each: ties on the time are ordered by id.
    for (int i = 0; i < 4; i++) {
      store.reserveRunners(
          new NewRunner("default", "local", "standard-1x", t0.plusSeconds(i)), 100, 3);
    }
    List<String> expected =
        store.runners(RunnerFilter.all().limit(100), t0).stream().map(RunnerInfo::id).toList();
    assertThat(expected).hasSize(12);

    List<String> seen = new java.util.ArrayList<>();
    RunnerFilter page = RunnerFilter.all().limit(5);
    List<RunnerInfo> runners = store.runners(page, t0);
    while (!runners.isEmpty()) {
      runners.forEach(r -> seen.add(r.id()));
      page = page.before(runners.getLast().id());
      runners = store.runners(page, t0);
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void reservingRunnersNeverExceedsTheQueuesMaximum() {
    NewRunner r = new NewRunner("default", "local", "standard-1x", t0);
    assertThat(store.reserveRunners(r, 3, 2)).hasSize(2);
    assertThat(store.reserveRunners(r, 3, 2)).hasSize(1);
    assertThat(store.reserveRunners(r, 3, 2)).isEmpty();
    assertThat(store.reserveRunners(new NewRunner("other", "local", null, t0), 3, 5)).hasSize(3);
  }

  @Test
  void usageGivesEachRunnersBilledSpanAndTheTimeItsJobsWereBusy() {
    String runner =
        store.reserveRunners(new NewRunner("q", "local", "standard-1x", t0), 1, 1).getFirst();
    store.runnerStarted(runner, t0.plusSeconds(1));
    long a = store.enqueue(job("q"));
    store.enqueue(job("q"));
    store.claim("q", runner, t0.plusSeconds(2), PLENTY, t0.plusSeconds(60));
    store.finish(a, runner, new Finish.Succeeded(t0.plusSeconds(5)));
    store.claim("q", runner, t0.plusSeconds(6), PLENTY, t0.plusSeconds(60));
    store.reserveRunners(new NewRunner("q", "local", null, t0.plusSeconds(20)), 2, 1);

    List<RunnerUsage> usage = store.usage(t0, t0.plusSeconds(20));

    assertThat(usage).hasSize(1);
    RunnerUsage u = usage.getFirst();
    assertThat(u.id()).isEqualTo(runner);
    assertThat(u.size()).isEqualTo("standard-1x");
    assertThat(u.startedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(u.exitedAt()).isNull();
    // 3 s for the finished attempt; the open one counts up to "now".
    assertThat(u.busySeconds()).isEqualTo(3.0 + 14.0);
    assertThat(store.usage(t0.plusSeconds(1), t0.plusSeconds(30))).hasSize(1);
    // 20 s alive, and the second runner reserved at 20 s has billed nothing yet.
    assertThat(store.billedSeconds(t0.plusSeconds(20))).isEqualTo(20.0);
  }

  @Test
  void finishedSinceCountsJobsThatEndedPerQueue() {
    String runner = reserveOne("q");
    long a = store.enqueue(job("q"));
    claim(store, "q", runner, t0);
    store.finish(a, runner, new Finish.Succeeded(t0.plusSeconds(30)));

    assertThat(store.finishedSince(t0)).containsEntry("q", 1L);
    assertThat(store.finishedSince(t0.plusSeconds(31))).isEmpty();
  }

  @Test
  void reportingInBringsTheRunnersFirstJobsBestFirst() {
    String runner = reserveOne("q");
    long low = store.enqueue(job("q"));
    long high = store.enqueue(new NewJob("sleep", "q", "{}", 5, t0, TIMEOUT, 5, t0));
    long third = store.enqueue(job("q"));
    Instant at = t0.plusSeconds(2);

    List<ClaimedJob> first =
        store.startAndClaim(runner, at, "q", PLENTY, at.plusSeconds(30), 2).orElseThrow();

    assertThat(first).extracting(ClaimedJob::id).containsExactly(high, low);
    var info = store.runner(runner, at).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.RUNNING);
    assertThat(info.startedAt()).isEqualTo(at);
    assertThat(store.job(high, at).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.job(third, at).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    // an empty queue still reports the runner in
    String idle = reserveOne("empty");
    assertThat(store.startAndClaim(idle, at, "empty", PLENTY, at.plusSeconds(30), 2))
        .contains(List.of());
    assertThat(store.runner(idle, at).orElseThrow().state()).isEqualTo(RunnerState.RUNNING);
  }

  @Test
  void aProcessThatIsNotTheRunnerClaimsNothingAsItReportsIn() {
    long id = store.enqueue(job("q"));
    String twice = reserveOne("q");
    assertThat(store.runnerStarted(twice, t0)).isTrue();
    String givenUp = reserveOne("q");
    assertThat(store.runnerLaunchFailed(givenUp, "no capacity", t0)).isTrue();

    for (String runner : List.of(twice, givenUp, "r-never-reserved")) {
      assertThat(store.startAndClaim(runner, t0, "q", PLENTY, t0.plusSeconds(30), 5))
          .as(runner)
          .isEmpty();
    }
    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    assertThat(store.runner(givenUp, t0).orElseThrow().state()).isNotEqualTo(RunnerState.RUNNING);
  }

  @Test
  void anExitedRunnerFreesItsSlot() {
    NewRunner r = new NewRunner("default", "local", null, t0);
    String id = store.reserveRunners(r, 1, 1).getFirst();
    store.runnerStarted(id, t0.plusSeconds(1));
    store.runnerExited(id, 0, t0.plusSeconds(5));

    var info = store.runner(id, t0.plusSeconds(9)).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.EXITED);
    assertThat(info.exitCode()).isZero();
    assertThat(info.billedSeconds()).isEqualTo(5.0);
    assertThat(store.reserveRunners(r, 1, 1)).hasSize(1);
  }

  @Test
  void exitCodeArrivingAfterTheRunnersOwnReportIsKept() {
    String id = reserveOne("default");
    store.runnerExited(id, null, t0.plusSeconds(3));
    store.runnerExited(id, 143, t0.plusSeconds(4));
    var info = store.runner(id, t0).orElseThrow();
    assertThat(info.exitCode()).isEqualTo(143);
    assertThat(info.exitedAt()).isEqualTo(t0.plusSeconds(3));
  }

  @Test
  void aRunnerThatExitsHoldingAJobGivesItBackAtOnce() {
    String runner = reserveOne("default");
    long id = store.enqueue(job("default"));
    claim(store, "default", runner, t0);
    store.runnerExited(runner, 137, t0.plusSeconds(1));

    assertThat(store.job(id, t0.plusSeconds(1)).orElseThrow().state()).isEqualTo(JobState.QUEUED);
  }

  @Test
  void silentRunnersAreDeclaredLost() {
    String runner = reserveOne("default");
    store.runnerStarted(runner, t0);
    store.heartbeat(runner, t0.plusSeconds(10), t0.plusSeconds(40));

    assertThat(
            store.recover(t0.plusSeconds(20), t0.plusSeconds(5), t0.plusSeconds(5)).runnersLost())
        .isZero();
    assertThat(
            store.recover(t0.plusSeconds(50), t0.plusSeconds(20), t0.plusSeconds(20)).runnersLost())
        .isEqualTo(1);
    assertThat(store.runner(runner, t0).orElseThrow().state()).isEqualTo(RunnerState.LOST);
    assertThat(store.runner(runner, t0).orElseThrow().error()).contains("no sign of life");
  }

  @Test
  void aRunnerStillLaunchingIsLostOnlyAfterTheLaunchTimeout() {
    String runner = reserveOne("default");
    store.runnerLaunched(runner, "pod-1");

    // silent past the lease, but a pod may wait minutes for a node: not lost yet
    assertThat(store.recover(t0.plusSeconds(60), t0.plusSeconds(30), t0).runnersLost()).isZero();
    assertThat(
            store
                .recover(t0.plusSeconds(400), t0.plusSeconds(370), t0.plusSeconds(100))
                .runnersLost())
        .isEqualTo(1);
    assertThat(store.runner(runner, t0).orElseThrow().state()).isEqualTo(RunnerState.LOST);
    assertThat(store.runner(runner, t0).orElseThrow().error()).contains("launch timeout");
  }

  @Test
  void aRunnerDeclaredLostTakesNoMoreJobs() {
    String runner = reserveOne("default");
    store.runnerStarted(runner, t0);
    store.enqueue(job("default"));
    store.recover(
        t0.plusSeconds(60), t0.plusSeconds(30), t0.plusSeconds(30)); // silent since t0: lost

    assertThat(store.claim("default", runner, t0.plusSeconds(61), PLENTY, t0.plusSeconds(90)))
        .as("its slot may be another runner's now")
        .isEmpty();
    assertThat(claim(store, "default", reserveOne("default"), t0.plusSeconds(61))).isPresent();
  }

  @Test
  void failedLaunchIsRecordedWithItsError() {
    String runner = reserveOne("default");
    store.runnerLaunchFailed(runner, "exit 1: no java", t0);
    var info = store.runner(runner, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(RunnerState.FAILED);
    assertThat(info.error()).isEqualTo("exit 1: no java");
  }

  @Test
  void runnerOutputIsKeptInOrder() {
    String runner = reserveOne("default");
    store.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "a")),
            OutputLine.runner(new LogLine(t0, "out", "b"))));
    // a tail stored when the runner ended goes where its times put it
    store.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0.minusMillis(1), "out", "first")),
            OutputLine.runner(new LogLine(t0.plusMillis(1), "out", "c"))));
    assertThat(store.runnerOutput(runner))
        .extracting(LogLine::message)
        .containsExactly("first", "a", "b", "c");
  }

  @Test
  void whatAJobPrintedIsStoredOnceAndReadInItsLogAttemptByAttempt() {
    String runner = reserveOne("default");
    long id = store.enqueue(job("default"));
    store.appendLog(id, 2, List.of(new LogLine(t0.plusMillis(5), "info", "logged in 2")));
    store.appendLog(id, 1, List.of(new LogLine(t0.plusMillis(1), "warn", "logged in 1")));
    store.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "job started")),
            OutputLine.job(new LogLine(t0.plusMillis(1), "out", "printed in 1"), id, 1),
            OutputLine.job(new LogLine(t0.plusMillis(2), "out", "printed later in 1"), id, 1),
            OutputLine.job(new LogLine(t0.plusMillis(1), "out", "printed in 2"), id, 2),
            OutputLine.runner(new LogLine(t0.plusMillis(3), "out", "job ended"))));

    assertThat(store.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly(
            "logged in 1", "printed in 1", "printed later in 1", "printed in 2", "logged in 2");
    assertThat(store.runnerOutput(runner)).hasSize(5);
  }

  @Test
  void aJobsPrintedLinesArePrunedWithTheJobNotBeforeIt() {
    String early = reserveOne("default");
    long id = store.enqueue(job("default"));
    claim(store, "default", early, t0);
    store.appendRunnerOutput(
        early,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "early's own")),
            OutputLine.job(new LogLine(t0, "out", "attempt 1"), id, 1)));
    store.runnerExited(early, 1, t0.plusSeconds(1)); // the job goes back to the queue
    String late = reserveOne("default");
    claim(store, "default", late, t0.plusSeconds(100));
    store.appendRunnerOutput(
        late, List.of(OutputLine.job(new LogLine(t0.plusSeconds(100), "out", "attempt 2"), id, 2)));
    store.finish(id, late, new Finish.Succeeded(t0.plusSeconds(101)));
    store.runnerExited(late, 0, t0.plusSeconds(102));

    store.prune(t0.plusSeconds(50)); // the early runner goes, the job stays
    assertThat(store.runner(early, t0)).isEmpty();
    assertThat(store.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly("attempt 1", "attempt 2");

    store.prune(t0.plusSeconds(200));
    assertThat(store.job(id, t0)).isEmpty();
    assertThat(store.jobLog(id)).isEmpty();
    assertThat(store.runnerOutput(early)).isEmpty();
    assertThat(store.runnerOutput(late)).isEmpty();
  }

  @Test
  void demandCountsReadyJobsAndAliveRunnersByWhatTheyAreDoing() {
    store.enqueue(job("default"));
    store.enqueue(job("default"));
    store.enqueue(job("default"));
    String busy = started("default", t0);
    started("default", t0);
    reserveOne("default");
    long first = claim(store, "default", busy, t0).orElseThrow().id();
    store.finish(first, busy, new Finish.Succeeded(t0));
    claim(store, "default", busy, t0);

    assertThat(store.demand(t0)).singleElement().isEqualTo(new QueueDemand("default", 1, 1, 1, 1));
  }

  @Test
  void ofSeveralIdleRunnersOnlyTheNewestStays() {
    String older = started("default", t0);
    String newer = started("default", t0.plusSeconds(1));
    String otherQueue = started("other", t0.plusSeconds(2));

    assertThat(store.retireIfSurplus(newer, "default", t0.plusSeconds(3))).isFalse();
    assertThat(store.retireIfSurplus(older, "default", t0.plusSeconds(3))).isTrue();
    assertThat(store.runner(older, t0.plusSeconds(3)).orElseThrow().state())
        .isEqualTo(RunnerState.EXITED);
    // alone now, and nothing else of its queue counts
    assertThat(store.retireIfSurplus(newer, "default", t0.plusSeconds(4))).isFalse();
    assertThat(store.retireIfSurplus(otherQueue, "other", t0.plusSeconds(4))).isFalse();
    assertThat(store.runner(newer, t0.plusSeconds(4)).orElseThrow().state())
        .isEqualTo(RunnerState.RUNNING);
  }

  @Test
  void anIdleRunnerLeavesWhenAnotherIsBusyOrStillLaunching() {
    store.enqueue(job("default"));
    String idle = started("default", t0.plusSeconds(5));
    String busy = started("default", t0);
    claim(store, "default", busy, t0.plusSeconds(6)).orElseThrow();
    assertThat(store.retireIfSurplus(idle, "default", t0.plusSeconds(7))).isTrue();

    String idleToo = started("default", t0.plusSeconds(8));
    assertThat(store.retireIfSurplus(idleToo, "default", t0.plusSeconds(9))).isTrue();

    String alone = started("other", t0.plusSeconds(9));
    reserveOne("other");
    assertThat(store.retireIfSurplus(alone, "other", t0.plusSeconds(10))).isTrue();
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
          left.add(pool.submit(() -> store.retireIfSurplus(r, queue, t0.plusSeconds(1))));
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
  void historyMeasuresStartUpAndJobDurationFromTheLatestRunners() {
    assertThat(store.history("default", t0)).isEqualTo(QueueHistory.NONE);
    for (int i = 0; i < 3; i++) {
      Instant launched = t0.plusSeconds(10L * i);
      String r =
          store
              .reserveRunners(new NewRunner("default", "local", null, launched), 100, 1)
              .getFirst();
      store.runnerStarted(r, launched.plusMillis(300 + 100L * i));
      store.enqueue(job("default"));
      Instant claimed = launched.plusSeconds(1);
      long id = claim(store, "default", r, claimed).orElseThrow().id();
      store.finish(id, r, new Finish.Succeeded(claimed.plusMillis(200 + 10L * i)));
      store.runnerExited(r, 0, claimed.plusSeconds(1));
    }
    String other = started("other", t0);
    store.enqueue(job("other"));
    long id = claim(store, "other", other, t0).orElseThrow().id();
    store.finish(id, other, new Finish.Succeeded(t0.plusSeconds(60)));

    QueueHistory h = store.history("default", t0);
    assertThat(h.startup()).isEqualTo(Duration.ofMillis(400));
    assertThat(h.jobDuration()).isEqualTo(Duration.ofMillis(210));
    assertThat(h.runners()).isEqualTo(3);
  }

  @Test
  void finishingAndClaimingTheNextHappenTogether() {
    String r = started("default", t0);
    long first = store.enqueue(job("default"));
    long second = store.enqueue(job("default"));
    assertThat(claim(store, "default", r, t0).orElseThrow().id()).isEqualTo(first);

    FinishedAndClaimed done = succeedAndClaim(r, first, t0.plusSeconds(1));
    assertThat(done.recorded()).containsExactly(true);
    assertThat(done.claimed()).extracting(ClaimedJob::id).containsExactly(second);
    assertThat(store.job(first, t0).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.job(second, t0).orElseThrow().state()).isEqualTo(JobState.RUNNING);
    assertThat(store.attempts(first))
        .extracting(AttemptInfo::outcome, AttemptInfo::finishedAt)
        .containsExactly(tuple("succeeded", t0.plusSeconds(1)));
    assertThat(store.attempts(second))
        .extracting(AttemptInfo::outcome, AttemptInfo::runnerId)
        .containsExactly(tuple("running", r));
    assertThat(store.runner(r, t0).orElseThrow().jobsRun()).isEqualTo(1);

    // an outcome the runner no longer holds is not recorded; the queue being empty claims nothing
    FinishedAndClaimed stale = succeedAndClaim(r, first, t0.plusSeconds(2));
    assertThat(stale.recorded()).containsExactly(false);
    assertThat(stale.claimed()).isEmpty();
    assertThat(store.runner(r, t0).orElseThrow().jobsRun()).isEqualTo(1);
  }

  @Test
  void finishingSeveralOutcomesAndClaimingRecordsEachAsFinishWould() {
    String r = started("default", t0);
    long ok = store.enqueue(job("default"));
    long bad = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 3, t0));
    long next = store.enqueue(job("default"));
    assertThat(store.claim("default", r, t0, PLENTY, t0.plusSeconds(30), 2)).hasSize(2);

    Instant at = t0.plusSeconds(1);
    FinishedAndClaimed done =
        store.finishAllAndClaim(
            r,
            List.of(
                new Finished(ok, new Finish.Succeeded(at)),
                new Finished(bad, new Finish.Failed(at, "boom", at.plusSeconds(60)))),
            "default",
            at,
            PLENTY,
            at.plusSeconds(30),
            5);

    assertThat(done.recorded()).containsExactly(true, true);
    assertThat(done.claimed()).extracting(ClaimedJob::id).containsExactly(next);
    assertThat(store.job(ok, at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    assertThat(store.attempts(bad))
        .extracting(AttemptInfo::outcome, AttemptInfo::error)
        .containsExactly(tuple("failed", "boom"));
    assertThat(store.runner(r, at).orElseThrow().jobsRun()).isEqualTo(2);
  }

  private FinishedAndClaimed succeedAndClaim(String runner, long jobId, Instant at) {
    return store.finishAllAndClaim(
        runner,
        List.of(new Finished(jobId, new Finish.Succeeded(at))),
        "default",
        at,
        PLENTY,
        at.plusSeconds(30),
        5);
  }

  @Test
  void arrivalsAreWhenTheQueuesLatestJobsBecomeReadyNewestFirst() {
    for (int i = 0; i < 4; i++) {
      Instant at = t0.plusSeconds(i);
      store.enqueue(new NewJob("sleep", "default", "{}", 0, at, TIMEOUT, 1, t0));
      store.enqueue(new NewJob("sleep", "other", "{}", 0, at.plusMillis(500), TIMEOUT, 1, t0));
    }
    assertThat(store.arrivals("default", 3))
        .containsExactly(t0.plusSeconds(3), t0.plusSeconds(2), t0.plusSeconds(1));
    assertThat(store.arrivals("none", 3)).isEmpty();
  }

  @Test
  void countsShowEveryStatePerQueue() {
    store.enqueue(job("default"));
    store.enqueue(new NewJob("sleep", "default", "{}", 0, t0.plusSeconds(5), TIMEOUT, 1, t0));
    long done = store.enqueue(job("default"));
    // claim order is by run_at then id: first the job enqueued first
    long first = claim(store, "default", "r", t0).orElseThrow().id();
    store.finish(first, "r", new Finish.Succeeded(t0));

    var c = store.counts(t0).getFirst();
    assertThat(c.queue()).isEqualTo("default");
    assertThat(c.queued()).isEqualTo(1);
    assertThat(c.scheduled()).isEqualTo(1);
    assertThat(c.succeeded()).isEqualTo(1);
    assertThat(done).isPositive();
  }

  @Test
  void succeededCountsHoldWhileRunnersEndAndArePrunedAndWhenTheirJobsArePruned() {
    String a = started("default", t0);
    List<Long> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(store.enqueue(job("default")));
    }
    // three successes recorded by a runner: one alone, then two together
    assertThat(claim(store, "default", a, t0)).isPresent();
    assertThat(succeedAndClaim(a, ids.get(0), t0.plusSeconds(1)).claimed()).hasSize(2);
    Instant at = t0.plusSeconds(2);
    assertThat(
            store
                .finishAllAndClaim(
                    a,
                    List.of(
                        new Finished(ids.get(1), new Finish.Succeeded(at)),
                        new Finished(ids.get(2), new Finish.Succeeded(at))),
                    "default",
                    at,
                    PLENTY,
                    at.plusSeconds(30),
                    5)
                .recorded())
        .containsExactly(true, true);
    // and one by a runner the store has no row for
    store.enqueue(job("default"));
    long last = claim(store, "default", "unregistered", t0).orElseThrow().id();
    store.finish(last, "unregistered", new Finish.Succeeded(t0.plusSeconds(4)));
    assertThat(store.counts(t0).getFirst().succeeded()).isEqualTo(4);
    assertThat(store.runner(a, t0).orElseThrow().jobsRun()).isEqualTo(3);

    store.runnerExited(a, 0, t0.plusSeconds(5));
    assertThat(store.prune(t0)).as("nothing finished before t0").isZero();
    assertThat(store.counts(t0).getFirst().succeeded()).as("folded").isEqualTo(4);
    assertThat(store.prune(t0.plusSeconds(3))).isEqualTo(3);
    assertThat(store.counts(t0).getFirst().succeeded()).isEqualTo(1);
    store.enqueue(job("default"));
    assertThat(store.prune(t0.plusSeconds(60))).isEqualTo(1);
    assertThat(store.counts(t0).getFirst().succeeded()).isZero();
    assertThat(store.counts(t0).getFirst().queued()).isEqualTo(1);
  }

  @Test
  void concurrentClaimsFromSeparateHandlesNeverTakeTheSameJob() throws Exception {
    int jobs = 300;
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      batch.add(job("default"));
    }
    store.enqueueAll(batch);
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
                for (Optional<ClaimedJob> c = claim(handle, "default", runner, t0);
                    c.isPresent();
                    c = claim(handle, "default", runner, t0)) {
                  claimed.add(c.get().id());
                  all.add(c.get().id());
                  handle.finish(c.get().id(), runner, new Finish.Succeeded(t0));
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
    assertThat(store.jobs(JobFilter.all().state(JobState.SUCCEEDED).limit(jobs + 1), t0))
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
    store.enqueueAll(batch);
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
                      handle.claim("default", runner, t0, PLENTY, t0.plusSeconds(30), limit);
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
    assertThat(store.counts(t0).getFirst().running()).isEqualTo(jobs);
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
                  got.addAll(handle.reserveRunners(new NewRunner("q", "local", null, t0), 5, 2));
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

  // ---- text no database takes as it is, and attempts given back --------------------------------

  @Test
  void oneJobsUnstorableErrorDoesNotPoisonItsBatch() {
    String runner = started("default", t0);
    for (int i = 0; i < 6; i++) {
      store.enqueue(job("default"));
    }
    List<ClaimedJob> claimed = store.claim("default", runner, t0, PLENTY, t0.plusSeconds(30), 6);
    List<Finished> outcomes = new ArrayList<>();
    Instant at = t0.plusSeconds(1);
    claimed
        .subList(0, 5)
        .forEach(j -> outcomes.add(new Finished(j.id(), new Finish.Succeeded(at))));
    long bad = claimed.get(5).id();
    outcomes.add(new Finished(bad, new Finish.Failed(at, "a\u0000b \uD800 c \uD83D\uDE00", null)));

    assertThat(store.finishAll(runner, outcomes)).containsOnly(true);

    for (ClaimedJob j : claimed.subList(0, 5)) {
      assertThat(store.job(j.id(), at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
    JobInfo dead = store.job(bad, at).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.error()).isEqualTo("a\uFFFDb \uFFFD c \uD83D\uDE00");
    assertThat(store.attempts(bad))
        .singleElement()
        .extracting(AttemptInfo::error)
        .isEqualTo("a\uFFFDb \uFFFD c \uD83D\uDE00");
  }

  @Test
  void finishingAndClaimingTakesUnstorableTextToo() {
    String runner = started("default", t0);
    long bad = store.enqueue(job("default"));
    long next = store.enqueue(job("default"));
    store.claim("default", runner, t0, PLENTY, t0.plusSeconds(30), 1);

    FinishedAndClaimed r =
        store.finishAllAndClaim(
            runner,
            List.of(new Finished(bad, new Finish.Discarded(t0, "nul\u0000"))),
            "default",
            t0,
            PLENTY,
            t0.plusSeconds(30),
            1);

    assertThat(r.recorded()).containsExactly(true);
    assertThat(r.claimed()).extracting(ClaimedJob::id).containsExactly(next);
    assertThat(store.job(bad, t0).orElseThrow().error()).isEqualTo("nul\uFFFD");
  }

  @Test
  void logLinesAndOutputWithNulOrLoneSurrogatesAreKeptWithTheCharacterReplaced() {
    long id = store.enqueue(job("default"));
    store.appendLog(
        id, 1, List.of(new LogLine(t0, "info", "x\u0000y"), new LogLine(t0, "info", "after")));
    String runner = reserveOne("default");
    store.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "\uDC00!")),
            OutputLine.runner(new LogLine(t0, "out", "next"))));

    assertThat(store.jobLog(id)).extracting(LogLine::message).containsExactly("x\uFFFDy", "after");
    assertThat(store.runnerOutput(runner))
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
      store.enqueue(job("default"));
    }
    List<ClaimedJob> claimed = store.claim("default", runner, t0, PLENTY, t0.plusSeconds(30), 4);
    Instant at = t0.plusSeconds(1);
    List<Finished> outcomes = new ArrayList<>();
    claimed
        .subList(0, 3)
        .forEach(j -> outcomes.add(new Finished(j.id(), new Finish.Succeeded(at))));
    long bad = claimed.get(3).id();
    // what is kept is the head of the text; the part the database refuses is past it
    String error = "java.lang.IllegalStateException: " + "x".repeat(1_200) + " poison";
    outcomes.add(new Finished(bad, new Finish.Failed(at, error, at.plusSeconds(60))));

    assertThat(store.finishAll(runner, outcomes)).containsOnly(true);

    for (ClaimedJob j : claimed.subList(0, 3)) {
      assertThat(store.job(j.id(), at).orElseThrow().state()).isEqualTo(JobState.SUCCEEDED);
    }
    JobInfo refused = store.job(bad, at).orElseThrow();
    assertThat(refused.state()).isEqualTo(JobState.FAILED);
    assertThat(refused.error())
        .startsWith("the database refused to store this attempt's text (")
        .contains("refused by a test trigger")
        .contains("what could be kept of it: java.lang.IllegalStateException: xxx")
        .doesNotContain("poison");
  }

  @Test
  void anAttemptGivenBackCountsAndWithNoneLeftTheJobIsDead() {
    long id = store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 2, t0));
    claim(store, "default", "r", t0);
    store.finish(id, "r", new Finish.Requeued(t0, t0, "stopped (SIGTERM)", true));
    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);

    claim(store, "default", "r", t0.plusSeconds(1));
    // a snooze gives its attempt back, so it never ends a job
    store.finish(id, "r", new Finish.Requeued(t0, t0, "snoozed", false));
    assertThat(store.job(id, t0).orElseThrow().state()).isEqualTo(JobState.QUEUED);

    claim(store, "default", "r", t0.plusSeconds(2));
    store.finish(id, "r", new Finish.Requeued(t0.plusSeconds(3), t0, "stopped (SIGTERM)", true));

    JobInfo dead = store.job(id, t0.plusSeconds(3)).orElseThrow();
    assertThat(dead.state()).isEqualTo(JobState.DEAD);
    assertThat(dead.finishedAt()).isEqualTo(t0.plusSeconds(3));
    assertThat(dead.error()).isEqualTo("stopped (SIGTERM)");
    assertThat(store.attempts(id))
        .extracting(AttemptInfo::outcome)
        .containsExactly("retry", "failed");
    assertThat(claim(store, "default", "r", t0.plusSeconds(4))).isEmpty();
  }

  @Test
  void demandLeavesOutJobsNoRunnerOfTheQueueMayTakeAndTheyAreMarkedOnce() {
    long tooLong = store.enqueue(job("default")); // 5 minutes
    long fits =
        store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, Duration.ofSeconds(30), 5, t0));

    assertThat(store.demand(t0, q -> Duration.ofMinutes(1).toMillis()))
        .singleElement()
        .isEqualTo(new QueueDemand("default", 1, 1, 0, 0, 0));
    assertThat(store.demand(t0)).singleElement().extracting(QueueDemand::ready).isEqualTo(2L);

    assertThat(store.markUnrunnable("default", Duration.ofMinutes(1), "cannot run: why")).isOne();
    assertThat(store.markUnrunnable("default", Duration.ofMinutes(1), "cannot run: why")).isZero();
    assertThat(store.job(tooLong, t0).orElseThrow().error()).isEqualTo("cannot run: why");
    assertThat(store.job(fits, t0).orElseThrow().error()).isNull();
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
      store.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    }
    List<ClaimedJob> claimed = store.claim("default", runner, t0, PLENTY, t0.plusSeconds(30), n);
    List<Finished> outcomes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      long id = claimed.get(i).id();
      outcomes.add(new Finished(id, new Finish.Failed(t0, texts.get(i), null)));
      store.appendLog(id, 1, List.of(new LogLine(t0, "info", texts.get(i))));
    }
    store.appendRunnerOutput(
        runner, texts.stream().map(t -> OutputLine.runner(new LogLine(t0, "out", t))).toList());

    assertThat(store.finishAll(runner, outcomes)).containsOnly(true);

    List<LogLine> output = store.runnerOutput(runner);
    for (int i = 0; i < n; i++) {
      String expected = replaced(texts.get(i));
      long id = claimed.get(i).id();
      String error = store.job(id, t0).orElseThrow().error();
      if (i == 0) { // cut to its head and tail
        assertThat(error)
            .startsWith(expected.substring(0, 1_000))
            .contains("[truncated ")
            .hasSizeLessThan(70 * 1024);
      } else {
        assertThat(error).as("error %d", i).isEqualTo(expected);
      }
      assertThat(store.jobLog(id))
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

  /** A runner that has reported in, launched at {@code at}. */
  protected String started(String queue, Instant at) {
    String r = store.reserveRunners(new NewRunner(queue, "local", null, at), 100, 1).getFirst();
    store.runnerStarted(r, at);
    return r;
  }

  protected String reserveOne(String queue) {
    return store.reserveRunners(new NewRunner(queue, "local", null, t0), 100, 1).getFirst();
  }
}
