package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Intake} must do: jobs in, plain, unique and in the caller's transaction;
 * cancelled and retried. Subclass it per database and give it {@link #stores()}; every store runs
 * it.
 */
public abstract class IntakeContract extends StoreContract {
  @Test
  void enqueuedJobIsQueuedWithItsArguments() {
    long id = intake.enqueue(job("default"));

    var info = reads.job(id, t0).orElseThrow();
    assertThat(info.state()).isEqualTo(JobState.QUEUED);
    assertThat(info.type()).isEqualTo("sleep");
    assertThat(info.args()).isEqualTo("{\"millis\":1}");
    assertThat(info.enqueuedAt()).isEqualTo(t0);
    assertThat(info.attempts()).isZero();
  }

  @Test
  void batchEnqueueReturnsIdsInOrder() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(new NewJob("sleep", "default", "{\"n\":" + i + "}", 0, t0, TIMEOUT, 1, t0));
    }
    List<Long> ids = intake.enqueueAll(batch);
    for (int i = 0; i < 50; i++) {
      assertThat(reads.job(ids.get(i), t0).orElseThrow().args()).isEqualTo("{\"n\":" + i + "}");
    }
  }

  @Test
  void aDeadJobRetriedRunsOnceMoreAndOthersStayPut() {
    long dead = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    long other = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(dead, "r", new Finish.Failed(t0, "boom", null));
    claim(runnerQueue, "default", "r", t0);
    runnerQueue.finish(other, "r", new Finish.Succeeded(t0));

    assertThat(intake.retry(dead, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(intake.retry(other, t0.plusSeconds(5)).orElseThrow().state())
        .as("succeeded jobs are not retried")
        .isEqualTo(JobState.SUCCEEDED);
    assertThat(intake.retry(999_999, t0)).isEmpty();
    ClaimedJob again = claim(runnerQueue, "default", "r", t0.plusSeconds(5)).orElseThrow();
    assertThat(again.attempt()).isEqualTo(2);
    assertThat(again.maxAttempts()).isEqualTo(2);
  }

  @Test
  void retryingAllDeadJobsRequeuesOnlyThem() {
    for (int i = 0; i < 3; i++) {
      long id = intake.enqueue(job("default"));
      claim(runnerQueue, "default", "r", t0);
      runnerQueue.finish(id, "r", new Finish.Failed(t0, "boom", null));
    }
    intake.enqueue(job("default"));
    RetriedDead r = intake.retryDead(t0.plusSeconds(1));
    assertThat(r.retried()).hasSize(3);
    assertThat(r.refused()).isEmpty();
    assertThat(reads.counts(t0.plusSeconds(1)).getFirst().queued()).isEqualTo(4);
    assertThat(reads.counts(t0.plusSeconds(1)).getFirst().dead()).isZero();
  }

  @Test
  void retryingAllDeadJobsRetriesEveryOneItCanAndReportsThoseAUniqueKeyHoldsBack() {
    long heldBack = deadJob("k1");
    long older = deadJob("k2");
    long newer = deadJob("k2"); // two dead jobs may share a key: the index covers live ones only
    long plain = deadJob(null);
    long holder =
        intake.enqueue(new NewJob("sleep", "other", "{}", 0, t0, TIMEOUT, 1, t0, "k1")); // live

    RetriedDead r = intake.retryDead(t0.plusSeconds(1));

    assertThat(r.retried()).containsExactly(newer, plain);
    assertThat(r.refused())
        .containsExactlyInAnyOrder(
            new KeyHeld(heldBack, "k1", holder), new KeyHeld(older, "k2", newer));
    assertThat(new KeyHeld(heldBack, "k1", holder).reason())
        .isEqualTo("a live job " + holder + " holds unique key 'k1'");
    assertThat(reads.job(heldBack, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.DEAD);
    assertThat(reads.job(older, t0.plusSeconds(5)).orElseThrow().state()).isEqualTo(JobState.DEAD);
    assertThat(reads.job(newer, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(reads.job(plain, t0.plusSeconds(5)).orElseThrow().state())
        .isEqualTo(JobState.QUEUED);
    assertThat(intake.retryDead(t0.plusSeconds(2)).retried()).as("nothing more goes").isEmpty();
  }

  @Test
  void retryingADeadJobWhoseKeyALiveJobHoldsSaysWhichAndChangesNothing() {
    long dead = deadJob("k");
    long holder = intake.enqueue(new NewJob("sleep", "other", "{}", 0, t0, TIMEOUT, 1, t0, "k"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> intake.retry(dead, t0.plusSeconds(1)))
        .isInstanceOfSatisfying(
            KeyHeldException.class,
            e -> assertThat(e.held()).isEqualTo(new KeyHeld(dead, "k", holder)))
        .hasMessageContaining("job " + dead + " was not retried")
        .hasMessageContaining("a live job " + holder + " holds unique key 'k'");
    assertThat(reads.job(dead, t0).orElseThrow().state()).isEqualTo(JobState.DEAD);

    intake.cancel(holder, t0.plusSeconds(2));
    assertThat(intake.retry(dead, t0.plusSeconds(3)).orElseThrow().state())
        .as("once the holder has finished")
        .isEqualTo(JobState.QUEUED);
  }

  @Test
  void aUniqueKeyHoldsWhileItsJobIsUnfinished() {
    NewJob unique = new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "commit:abc");
    long first = intake.enqueue(unique);
    assertThat(intake.enqueue(unique)).as("queued").isEqualTo(first);
    claim(runnerQueue, "default", "r", t0);
    assertThat(intake.enqueue(unique)).as("running").isEqualTo(first);
    runnerQueue.finish(first, "r", new Finish.Succeeded(t0));

    long second = intake.enqueue(unique);
    assertThat(second).as("the first finished").isNotEqualTo(first);
    assertThat(intake.enqueue(job("default"))).isNotEqualTo(second);
  }

  @Test
  void jobsEnqueuedInACallersTransactionExistOnlyIfItCommits() throws Exception {
    NewJob unique = new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "in-tx");
    try (java.sql.Connection c = connect()) {
      c.setAutoCommit(false);
      List<Long> ids = intake.enqueueAllOn(c, List.of(job("default"), unique));
      assertThat(intake.enqueueAllOn(c, List.of(unique)))
          .as("its unique job, seen inside its own transaction")
          .containsExactly(ids.get(1));
      assertThat(reads.job(ids.getFirst(), t0)).as("before the commit").isEmpty();
      c.rollback();
      assertThat(ids).allMatch(id -> reads.job(id, t0).isEmpty(), "gone with the rollback");

      List<Long> kept = intake.enqueueAllOn(c, List.of(job("default"), unique));
      c.commit();
      assertThat(kept).allMatch(id -> reads.job(id, t0).isPresent(), "there after the commit");

      // A unique job that exists already is found, and the caller's transaction goes on.
      assertThat(intake.enqueueAllOn(c, List.of(unique))).containsExactly(kept.get(1));
      c.commit();
    }
    assertThat(reads.counts(t0).getFirst().queued()).isEqualTo(2);
  }

  @Test
  void concurrentEnqueuesWithOneUniqueKeyMakeOneJob() throws Exception {
    List<Long> ids =
        race(
            handle ->
                handle
                    .intake()
                    .enqueue(
                        new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, "only-one")));
    assertThat(new HashSet<>(ids)).hasSize(1);
    assertThat(reads.counts(t0).getFirst().queued()).isEqualTo(1);
  }

  @Test
  void cancellingAQueuedJobMeansItNeverStarts() {
    long id = intake.enqueue(job("default"));
    assertThat(intake.cancel(id, t0).orElseThrow().state()).isEqualTo(JobState.CANCELLED);
    assertThat(claim(runnerQueue, "default", "r", t0)).isEmpty();
  }

  @Test
  void jobWithFutureRunAtIsScheduledAndCannotBeClaimedUntilThen() {
    NewJob later = new NewJob("sleep", "default", "{}", 0, t0.plusSeconds(60), TIMEOUT, 1, t0);
    long id = intake.enqueue(later);

    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.SCHEDULED);
    assertThat(claim(runnerQueue, "default", "r1", t0)).isEmpty();
    assertThat(claim(runnerQueue, "default", "r1", t0.plusSeconds(60)))
        .map(ClaimedJob::id)
        .contains(id);
  }

  /** A job of {@code key} (none if null) that ran once and died. */
  private long deadJob(@org.jspecify.annotations.Nullable String key) {
    long id = intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0, TIMEOUT, 1, t0, key));
    assertThat(claim(runnerQueue, "default", "r", t0).orElseThrow().id()).isEqualTo(id);
    runnerQueue.finish(id, "r", new Finish.Failed(t0, "boom", null));
    assertThat(reads.job(id, t0).orElseThrow().state()).isEqualTo(JobState.DEAD);
    return id;
  }
}
