package dev.mayfly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mayfly.api.JobFilter;
import dev.mayfly.api.JobInfo;
import dev.mayfly.internal.jobs.JobTypes;
import dev.mayfly.internal.time.ManualClock;
import dev.mayfly.store.JobStore;
import dev.mayfly.store.ScheduleState;
import dev.mayfly.store.connect.JobStores;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Schedules fired on a clock the test moves: the overlap and catch-up policies, and two nodes. */
class SchedulerTest {
  private static final Instant T = Instant.parse("2026-01-05T09:00:00Z");

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(T);
  private final List<JobStore> stores = new ArrayList<>();
  private final List<String> told = new ArrayList<>();
  private final DispatchListener listener =
      new DispatchListener() {
        @Override
        public void scheduleFired(String schedule, Duration late) {
          told.add(schedule + " fired " + late.toMillis() + " ms late");
        }

        @Override
        public void scheduleSkipped(String schedule, String reason) {
          told.add(schedule + " skipped: " + reason);
        }
      };

  @AfterEach
  void close() {
    stores.forEach(JobStore::close);
  }

  private MayflyConfig config(Schedule... schedules) {
    MayflyConfig.Builder b =
        MayflyConfig.builder()
            .database(dir.resolve("s.db").toString())
            .environment(java.util.Map.of())
            .jobs(CoreTestJobs.Work.class)
            .clock(clock);
    for (Schedule s : schedules) {
      b.schedule(s);
    }
    return b.build();
  }

  private Scheduler scheduler(MayflyConfig config) {
    JobStore store = JobStores.open(config.databaseUrl());
    stores.add(store);
    return new Scheduler(
        config, store.schedules(), JobTypes.of(config.jobs()), event -> event.accept(listener));
  }

  private JobStore store() {
    return stores.getFirst();
  }

  private void at(String time) {
    clock.set(Instant.parse("2026-01-05T" + time + "Z"));
  }

  private List<JobInfo> jobs() {
    return store().reads().jobs(JobFilter.all(), clock.instant());
  }

  private ScheduleState state() {
    return store().schedules().schedules().getFirst();
  }

  private static Schedule hourly() {
    return Schedule.of("hourly", "0 * * * *", "work", "{\"n\": 1, \"millis\": 0}");
  }

  @Test
  void aTimeFiresOneJobWithTheSchedulesArgumentsAndNotBefore() {
    Scheduler s = scheduler(config(hourly()));
    s.define();
    at("09:59:59");
    assertThat(s.fireDue(clock.instant())).isZero();
    at("10:00:00.300");
    assertThat(s.fireDue(clock.instant())).isEqualTo(1);
    assertThat(s.fireDue(clock.instant())).as("the same time again").isZero();
    assertThat(jobs())
        .singleElement()
        .satisfies(
            j -> {
              assertThat(j.type()).isEqualTo("work");
              assertThat(j.runAt())
                  .as("its fire time")
                  .isEqualTo(Instant.parse("2026-01-05T10:00:00Z"));
            });
    assertThat(state().lastFire()).isEqualTo(Instant.parse("2026-01-05T10:00:00Z"));
    assertThat(told).as("what the listeners heard").containsExactly("hourly fired 300 ms late");
  }

  @Test
  void overlapSkipLetsATimeGoWhileThePreviousJobIsUnfinished() {
    Scheduler s = scheduler(config(hourly()));
    s.define();
    at("10:00:01");
    s.fireDue(clock.instant());
    at("11:00:01");
    assertThat(s.fireDue(clock.instant())).as("10:00's job is still queued").isZero();
    assertThat(state().skipped()).isEqualTo(1);
    assertThat(told).containsExactly("hourly fired 1000 ms late", "hourly skipped: overlap");
    store().intake().cancel(jobs().getFirst().id(), clock.instant());
    at("12:00:01");
    assertThat(s.fireDue(clock.instant())).isEqualTo(1);
    assertThat(state().fired()).isEqualTo(2);
  }

  @Test
  void overlapAllowFiresAnyway() {
    Scheduler s = scheduler(config(hourly().withOverlap(Schedule.Overlap.ALLOW)));
    s.define();
    at("10:00:01");
    s.fireDue(clock.instant());
    at("11:00:01");
    assertThat(s.fireDue(clock.instant())).isEqualTo(1);
    assertThat(jobs()).hasSize(2);
  }

  @Test
  void afterDowntimeLatestFiresOnceAndAllFiresEveryMissedTime() {
    Scheduler latest = scheduler(config(hourly()));
    latest.define();
    at("14:30:00"); // no dispatcher ran from 09:00 to 14:30
    assertThat(latest.fireDue(clock.instant())).isEqualTo(1);
    assertThat(state().lastFire()).isEqualTo(Instant.parse("2026-01-05T14:00:00Z"));

    clock.set(T);
    Scheduler all =
        scheduler(
            config(hourly().withCatchUp(Schedule.CatchUp.ALL).withOverlap(Schedule.Overlap.ALLOW)));
    all.define(); // the same schedule, now catching up every time; it keeps its history
    at("18:30:00");
    assertThat(all.fireDue(clock.instant())).as("15:00 to 18:00").isEqualTo(4);
  }

  @Test
  void afterDowntimeNoneLetsTheMissedTimesPassAndFiresTheNextOnTime() {
    Scheduler s = scheduler(config(hourly().withCatchUp(Schedule.CatchUp.NONE)));
    s.define();
    at("11:30:00"); // 10:00 and 11:00 were missed
    assertThat(s.fireDue(clock.instant())).isZero();
    at("12:00:02");
    assertThat(s.fireDue(clock.instant())).isEqualTo(1);
    // a downtime is let go as one: its latest time is recorded as skipped, as latest fires it
    assertThat(told).containsExactly("hourly skipped: missed", "hourly fired 2000 ms late");
    assertThat(state().skipped()).isEqualTo(1);
  }

  @Test
  void twoNodesFiringAtOnceMakeOneJobPerTime() {
    MayflyConfig config = config(hourly().withOverlap(Schedule.Overlap.ALLOW));
    Scheduler a = scheduler(config);
    Scheduler b = scheduler(config);
    a.define();
    b.define();
    for (String time : List.of("10:00:01", "11:00:01", "12:00:01")) {
      at(time);
      int fired = a.fireDue(clock.instant()) + b.fireDue(clock.instant());
      assertThat(fired).as(time).isEqualTo(1);
    }
    assertThat(jobs()).hasSize(3);
  }

  @Test
  void aScheduleNoLongerConfiguredStopsFiring() {
    Scheduler s = scheduler(config(hourly()));
    s.define();
    Schedule other = Schedule.of("nightly", "0 3 * * *", "work", "{\"n\": 2, \"millis\": 0}");
    Scheduler next = scheduler(config(other));
    next.define();
    at("10:00:01");
    assertThat(next.fireDue(clock.instant())).isZero();
    assertThat(store().schedules().schedules())
        .extracting(x -> x.schedule().name())
        .containsExactly("nightly");
  }
}
