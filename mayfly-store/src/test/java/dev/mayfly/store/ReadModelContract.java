package dev.mayfly.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ReadModel} must give: jobs and runners filtered and paged, output and logs in
 * order, counts and costs. Subclass it per database and give it {@link #stores()}; every store runs
 * it.
 */
public abstract class ReadModelContract extends StoreContract {
  @Test
  void filtersJobsByStateQueueAndType() {
    long a = intake.enqueue(job("a"));
    intake.enqueue(job("b"));
    intake.enqueue(new NewJob("fail", "a", "{}", 0, t0, TIMEOUT, 1, t0));
    claim(runnerQueue, "b", "r", t0);

    assertThat(reads.jobs(JobFilter.all().queue("a").type("sleep"), t0))
        .extracting(j -> j.id())
        .containsExactly(a);
    assertThat(reads.jobs(JobFilter.all().state(JobState.RUNNING), t0)).hasSize(1);
    assertThat(reads.jobs(JobFilter.all().state(JobState.QUEUED), t0)).hasSize(2);
  }

  @Test
  void pagesOfJobsFollowEachOtherWithoutGapOrRepeat() {
    List<Long> ids = new java.util.ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(intake.enqueue(job(i % 5 == 0 ? "other" : "pages")));
    }
    List<Long> expected =
        ids.reversed().stream()
            .filter(id -> ids.indexOf(id) % 5 != 0)
            .toList(); // the 20 of queue "pages", newest first

    List<Long> seen = new java.util.ArrayList<>();
    JobFilter page = JobFilter.all().queue("pages").limit(8);
    List<JobInfo> jobs = reads.jobs(page, t0);
    // Jobs enqueued while paging are newer than the cursor: they neither shift nor repeat a page.
    intake.enqueue(job("pages"));
    while (!jobs.isEmpty()) {
      jobs.forEach(j -> seen.add(j.id()));
      page = page.before(jobs.getLast().id());
      jobs = reads.jobs(page, t0);
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void pagesOfRunnersFollowEachOtherWithoutGapOrRepeat() {
    // Launched in 4 distinct instants, 3 at each: ties on the time are ordered by id.
    for (int i = 0; i < 4; i++) {
      fleet.reserveRunners(
          new NewRunner("default", "local", "standard-1x", t0.plusSeconds(i)), 100, 3);
    }
    List<String> expected =
        reads.runners(RunnerFilter.all().limit(100), t0).stream().map(RunnerInfo::id).toList();
    assertThat(expected).hasSize(12);

    List<String> seen = new java.util.ArrayList<>();
    RunnerFilter page = RunnerFilter.all().limit(5);
    List<RunnerInfo> runners = reads.runners(page, t0);
    while (!runners.isEmpty()) {
      runners.forEach(r -> seen.add(r.id()));
      page = page.before(runners.getLast().id());
      runners = reads.runners(page, t0);
    }
    assertThat(seen).isEqualTo(expected);
  }

  @Test
  void usageGivesEachRunnersBilledSpanAndTheTimeItsJobsWereBusy() {
    String runner =
        fleet.reserveRunners(new NewRunner("q", "local", "standard-1x", t0), 1, 1).getFirst();
    runnerQueue.runnerStarted(runner, t0.plusSeconds(1));
    long a = intake.enqueue(job("q"));
    intake.enqueue(job("q"));
    first(
        runnerQueue.claim(
            new ClaimRequest("q", runner, t0.plusSeconds(2), PLENTY, t0.plusSeconds(60), 1)));
    runnerQueue.finish(a, runner, new Finish.Succeeded(t0.plusSeconds(5)));
    first(
        runnerQueue.claim(
            new ClaimRequest("q", runner, t0.plusSeconds(6), PLENTY, t0.plusSeconds(60), 1)));
    fleet.reserveRunners(new NewRunner("q", "local", null, t0.plusSeconds(20)), 2, 1);

    List<RunnerUsage> usage = reads.usage(t0, t0.plusSeconds(20));

    assertThat(usage).hasSize(1);
    RunnerUsage u = usage.getFirst();
    assertThat(u.id()).isEqualTo(runner);
    assertThat(u.size()).isEqualTo("standard-1x");
    assertThat(u.startedAt()).isEqualTo(t0.plusSeconds(1));
    assertThat(u.exitedAt()).isNull();
    // 3 s for the finished attempt; the open one counts up to "now".
    assertThat(u.busySeconds()).isEqualTo(3.0 + 14.0);
    assertThat(reads.usage(t0.plusSeconds(1), t0.plusSeconds(30))).hasSize(1);
    // 20 s alive, and the second runner reserved at 20 s has billed nothing yet.
    assertThat(reads.billedSeconds(t0.plusSeconds(20))).isEqualTo(20.0);
  }

  @Test
  void finishedSinceCountsJobsThatEndedPerQueue() {
    String runner = reserveOne("q");
    long a = intake.enqueue(job("q"));
    claim(runnerQueue, "q", runner, t0);
    runnerQueue.finish(a, runner, new Finish.Succeeded(t0.plusSeconds(30)));

    assertThat(reads.finishedSince(t0)).containsEntry("q", 1L);
    assertThat(reads.finishedSince(t0.plusSeconds(31))).isEmpty();
  }

  @Test
  void runnerOutputIsKeptInOrder() {
    String runner = reserveOne("default");
    fleet.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "a")),
            OutputLine.runner(new LogLine(t0, "out", "b"))));
    // a tail stored when the runner ended goes where its times put it
    fleet.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0.minusMillis(1), "out", "first")),
            OutputLine.runner(new LogLine(t0.plusMillis(1), "out", "c"))));
    assertThat(reads.runnerOutput(runner))
        .extracting(LogLine::message)
        .containsExactly("first", "a", "b", "c");
  }

  @Test
  void whatAJobPrintedIsStoredOnceAndReadInItsLogAttemptByAttempt() {
    String runner = reserveOne("default");
    long id = intake.enqueue(job("default"));
    runnerQueue.appendLog(id, 2, List.of(new LogLine(t0.plusMillis(5), "info", "logged in 2")));
    runnerQueue.appendLog(id, 1, List.of(new LogLine(t0.plusMillis(1), "warn", "logged in 1")));
    fleet.appendRunnerOutput(
        runner,
        List.of(
            OutputLine.runner(new LogLine(t0, "out", "job started")),
            OutputLine.job(new LogLine(t0.plusMillis(1), "out", "printed in 1"), id, 1),
            OutputLine.job(new LogLine(t0.plusMillis(2), "out", "printed later in 1"), id, 1),
            OutputLine.job(new LogLine(t0.plusMillis(1), "out", "printed in 2"), id, 2),
            OutputLine.runner(new LogLine(t0.plusMillis(3), "out", "job ended"))));

    assertThat(reads.jobLog(id))
        .extracting(LogLine::message)
        .containsExactly(
            "logged in 1", "printed in 1", "printed later in 1", "printed in 2", "logged in 2");
    assertThat(reads.runnerOutput(runner)).hasSize(5);
  }

  @Test
  void countsShowEveryStatePerQueue() {
    intake.enqueue(job("default"));
    intake.enqueue(new NewJob("sleep", "default", "{}", 0, t0.plusSeconds(5), TIMEOUT, 1, t0));
    long done = intake.enqueue(job("default"));
    // claim order is by run_at then id: first the job enqueued first
    long first = claim(runnerQueue, "default", "r", t0).orElseThrow().id();
    runnerQueue.finish(first, "r", new Finish.Succeeded(t0));

    var c = reads.counts(t0).getFirst();
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
      ids.add(intake.enqueue(job("default")));
    }
    // three successes recorded by a runner: one alone, then two together
    assertThat(claim(runnerQueue, "default", a, t0)).isPresent();
    assertThat(succeedAndClaim(a, ids.get(0), t0.plusSeconds(1)).claimed()).hasSize(2);
    Instant at = t0.plusSeconds(2);
    assertThat(
            runnerQueue
                .finishAllAndClaim(
                    List.of(
                        new Finished(ids.get(1), new Finish.Succeeded(at)),
                        new Finished(ids.get(2), new Finish.Succeeded(at))),
                    new ClaimRequest("default", a, at, PLENTY, at.plusSeconds(30), 5))
                .recorded())
        .containsExactly(true, true);
    // and one by a runner the store has no row for
    intake.enqueue(job("default"));
    long last = claim(runnerQueue, "default", "unregistered", t0).orElseThrow().id();
    runnerQueue.finish(last, "unregistered", new Finish.Succeeded(t0.plusSeconds(4)));
    assertThat(reads.counts(t0).getFirst().succeeded()).isEqualTo(4);
    assertThat(reads.runner(a, t0).orElseThrow().jobsRun()).isEqualTo(3);

    fleet.runnerExited(a, 0, t0.plusSeconds(5));
    assertThat(fleet.prune(t0)).as("nothing finished before t0").isZero();
    assertThat(reads.counts(t0).getFirst().succeeded()).as("folded").isEqualTo(4);
    assertThat(fleet.prune(t0.plusSeconds(3))).isEqualTo(3);
    assertThat(reads.counts(t0).getFirst().succeeded()).isEqualTo(1);
    intake.enqueue(job("default"));
    assertThat(fleet.prune(t0.plusSeconds(60))).isEqualTo(1);
    assertThat(reads.counts(t0).getFirst().succeeded()).isZero();
    assertThat(reads.counts(t0).getFirst().queued()).isEqualTo(1);
  }
}
