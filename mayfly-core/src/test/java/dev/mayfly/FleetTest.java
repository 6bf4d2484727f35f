package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.mayfly.api.JobState;
import dev.mayfly.api.LogLine;
import dev.mayfly.api.RunnerFilter;
import dev.mayfly.api.RunnerInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How the fleet of local runner processes sizes itself, judged from what the store recorded. */
@Tag("processes")
class FleetTest {
  private static final Pattern WAITS = Pattern.compile("waits (\\d+) ms for new work");

  @TempDir Path dir;

  private Mayfly start(String db, QueueConfig queue) {
    return Mayfly.create(
            MayflyConfig.builder()
                .database(dir.resolve(db).toString())
                .environment(Map.of())
                .jobs(CoreTestJobs.Work.class)
                .defaults(queue.launcher("local"))
                .build())
        .start();
  }

  @Test
  void oneRunnerDrainsTheWholeBacklogInOneLaunch() {
    int jobs = 150; // fifteen launches at the old ten jobs per runner
    try (Mayfly mayfly = start("drain.db", QueueConfig.defaults("default").maxRunners(1))) {
      for (int i = 0; i < jobs; i++) {
        mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 2));
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == jobs);
      List<RunnerInfo> runners = mayfly.admin().runners(RunnerFilter.all());
      assertThat(runners).singleElement().satisfies(r -> assertThat(r.jobsRun()).isEqualTo(jobs));
      awaitNoneAlive(mayfly);
    }
  }

  @Test
  void aFirstBurstOfShortJobsGetsOneRunnerWhoseFirstJobShowsItIsEnough() {
    try (Mayfly mayfly = start("first-burst.db", QueueConfig.defaults("default").maxRunners(8))) {
      for (int i = 0; i < 10; i++) {
        mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 1));
      }
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 10);
      assertThat(awaitNoneAlive(mayfly))
          .singleElement()
          .satisfies(r -> assertThat(r.jobsRun()).isEqualTo(10));
    }
  }

  @Test
  void surplusRunnersLeaveAtOnceWhenTheQueueEmptiesAndTheNewestStaysWarm() throws Exception {
    // A fixed idle wait of a minute: only scale-in can end a runner sooner.
    QueueConfig queue =
        QueueConfig.defaults("default").maxRunners(4).idleExit(Duration.ofSeconds(60));
    try (Mayfly mayfly = start("scale-in.db", queue)) {
      // Jobs of a second: once the first has run, the backlog asks for the cap.
      for (int i = 0; i < 16; i++) {
        mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(i, 1_000));
      }
      await()
          .atMost(Duration.ofMinutes(2))
          .until(() -> mayfly.admin().queues().getFirst().succeeded() == 16);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).size() == 1);
      List<RunnerInfo> all = mayfly.admin().runners(RunnerFilter.all());
      assertThat(all).hasSize(4);
      RunnerInfo warm = mayfly.admin().runners(RunnerFilter.all().alive(true)).getFirst();
      for (RunnerInfo r : all) {
        if (!r.id().equals(warm.id())) {
          await()
              .atMost(Duration.ofSeconds(30))
              .until(() -> output(mayfly, r.id()).contains("exiting: SCALED_IN"));
        }
      }
      // the one left takes the next job at once, with no new launch
      long next = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(99, 1));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> mayfly.admin().job(next).orElseThrow().state() == JobState.SUCCEEDED);
      assertThat(mayfly.admin().job(next).orElseThrow().runnerId()).isEqualTo(warm.id());
      assertThat(mayfly.admin().runners(RunnerFilter.all())).hasSize(4);

      assertThat(new ProcessBuilder("kill", "-TERM", warm.platformId()).start().waitFor()).isZero();
      awaitNoneAlive(mayfly);
    }
  }

  @Test
  void theIdleWaitFollowsTheStartUpMeasuredOnEarlierRunners() {
    try (Mayfly mayfly = start("budget.db", QueueConfig.defaults("default").maxRunners(1))) {
      long first = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(1, 1));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(first).orElseThrow().state() == JobState.SUCCEEDED);
      RunnerInfo one = awaitNoneAlive(mayfly).getFirst();
      // nothing measured yet: the prior
      assertThat(waits(mayfly, one)).isEqualTo(1_000);

      long second = mayfly.enqueue(CoreTestJobs.Work.class, new CoreTestJobs.Work.Args(2, 1));
      await()
          .atMost(Duration.ofMinutes(1))
          .until(() -> mayfly.admin().job(second).orElseThrow().state() == JobState.SUCCEEDED);
      List<RunnerInfo> runners = awaitNoneAlive(mayfly);
      RunnerInfo two = runners.stream().filter(r -> !r.id().equals(one.id())).findFirst().get();
      long measured = Duration.between(one.launchedAt(), one.startedAt()).toMillis();
      long expected =
          Math.clamp(
              measured,
              QueueConfig.DEFAULT_IDLE_MIN.toMillis(),
              QueueConfig.DEFAULT_IDLE_MAX.toMillis());
      assertThat(waits(mayfly, two)).isEqualTo(expected);
    }
  }

  private static List<RunnerInfo> awaitNoneAlive(Mayfly mayfly) {
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> mayfly.admin().runners(RunnerFilter.all().alive(true)).isEmpty());
    return mayfly.admin().runners(RunnerFilter.all());
  }

  private static String output(Mayfly mayfly, String runnerId) {
    return String.join(
        "\n", mayfly.admin().runnerOutput(runnerId).stream().map(LogLine::message).toList());
  }

  private static long waits(Mayfly mayfly, RunnerInfo r) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> WAITS.matcher(output(mayfly, r.id())).find());
    Matcher m = WAITS.matcher(output(mayfly, r.id()));
    assertThat(m.find()).isTrue();
    return Long.parseLong(m.group(1));
  }
}
